package lxd
import (
 _ "github.com/canonical/lxd/client"
 _ "github.com/canonical/lxd/shared"
 _ "github.com/canonical/lxd/shared/api"
 _ "gopkg.in/yaml.v3"
)
