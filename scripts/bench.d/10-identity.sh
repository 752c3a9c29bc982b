# Identity: ssh-key.add throughput over HTTP, login latency (argon2id).
run identity ./api/identitytest/ 'SSHKeyAdd|Login|Argon2' -benchtime 3s
run simplestreams-ingest ./simplestreams/ 'Ingest' -benchtime 2x
