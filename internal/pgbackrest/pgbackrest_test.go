package pgbackrest

import (
	"strings"
	"testing"
	"time"
)

func TestParseRepo(t *testing.T) {
	r, err := ParseRepo("s3://AK:SK@backup.example.com:9443/pv-backups/cluster1?region=eu-west-1&ca-file=/etc/ca.pem")
	if err != nil || r.S3 == nil || r.S3.Endpoint != "backup.example.com" || r.S3.Port != 9443 || r.S3.Bucket != "pv-backups" ||
		r.S3.Path != "/cluster1" || r.S3.Region != "eu-west-1" || r.S3.CAFile != "/etc/ca.pem" || !r.S3.VerifyTLS || r.S3.Secret != "SK" {
		t.Errorf("S3 repo: %+v %v", r.S3, err)
	}
	if r, err := ParseRepo("/var/backups/pv"); err != nil || r.Dir != "/var/backups/pv" {
		t.Errorf("dir repo: %+v %v", r, err)
	}
	for _, bad := range []string{"", "s3://host/bucket", "s3://AK@host/bucket", "s3://AK:SK@host/", "s3://AK:SK@host:x/b"} {
		if _, err := ParseRepo(bad); err == nil {
			t.Errorf("ParseRepo(%q) took it", bad)
		}
	}
	c := &Config{Repo: Repo{S3: &S3Repo{Endpoint: "h", Port: 443, Bucket: "b", Key: "k", Secret: "s", Region: "r", Path: "/p"}}, Home: t.TempDir(), PGData: "/d", PGSocket: "/s"}
	if err := c.WriteConf(); err != nil {
		t.Fatal(err)
	}
}

func TestDue(t *testing.T) {
	c := &Config{FullEvery: 7 * 24 * time.Hour, IncrEvery: 24 * time.Hour}
	now := time.Date(2026, 3, 10, 3, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	cases := []struct {
		list []BackupInfo
		want string
	}{
		{nil, Full},
		{[]BackupInfo{{Type: Full, Stop: now.Add(-8 * day)}}, Full},
		{[]BackupInfo{{Type: Full, Stop: now.Add(-3 * day)}}, Incr},
		{[]BackupInfo{{Type: Full, Stop: now.Add(-3 * day)}, {Type: Incr, Stop: now.Add(-2 * time.Hour)}}, ""},
	}
	for i, tc := range cases {
		if got := c.Due(tc.list, now); got != tc.want {
			t.Errorf("case %d: %q, want %q", i, got, tc.want)
		}
	}
	if got := strings.Join(RestoreArgs("2026-03-01 14:05:00+00"), " "); !strings.Contains(got, "--type=time") {
		t.Errorf("RestoreArgs: %s", got)
	}
}
