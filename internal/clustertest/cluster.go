// Package clustertest holds the cluster test: PatternVault on the
// production topology that `scripts/cluster up` starts on one machine
// (etcd, Patroni with a PostgreSQL primary and synchronous standby, HAProxy,
// pgbouncer in transaction mode, three app servers, versitygw, mailpit,
// pgBackRest). The tests skip unless PV_CLUSTER_ENV names the cluster.env
// file that `scripts/cluster up` writes; `make cluster-test` and
// `scripts/cluster failover-test` run them. The normal `make test` never
// starts any of this.
//
// What they prove, through HAProxy's public port as a quilter, a script
// and her guests would use it: the usual flow (workspace, token, import,
// search); a rolling restart of every app server under load with no failed
// request; a failover (the primary's PostgreSQL killed under imports,
// searches and votes) with its seconds of unavailability, failed requests
// and zero committed votes, designs or files lost; read-your-writes with
// reads on the replica; a pgBackRest backup from the standby to S3 and a
// restore drill.
package clustertest
