package app

import (
	"github.com/uivmm/uivmm/projections"
)

// addInstanceWork adds the instance reactor (instance.add and
// instance.action on LXD) and the LXD event listener to the "lxd" reactor
// group: both run only in the process holding its lease.
func (a *App) addInstanceWork(rr *projections.ReactorRunner) {
	ir := projections.NewInstanceReactor(projections.InstanceReactorConfig{Repo: a.Deps.Repo, Hosts: a.LXD.Hosts,
		Keys: a.RM, Work: a.RM, Log: a.Log, ImageCert: a.imageCert})
	rr.Add(ir)
	rr.AddHeld(ir, projections.NewInstanceWatcher(projections.InstanceWatcherConfig{Repo: a.Deps.Repo,
		Hosts: a.LXD.Hosts, RM: a.RM, Log: a.Log}))
}
