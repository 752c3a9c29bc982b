# Simplestreams: simplestream.upload of 1 GiB through the HTTP API (refused
# random bytes = raw ingest; a published 1 GiB squashfs image = ingest plus
# full verification), with MB/s, peak Go heap and peak RSS. Needs ~3 GiB
# in $TMPDIR and mksquashfs, xz, busybox (scripts/lxd-testenv.sh installs them).
run simplestreams-upload ./imageserver/ 'Upload1GiB' -benchtime 1x -timeout 20m
