package tokens

import "testing"

func TestRevocations(t *testing.T) {
	rs := Revocations("eu1", zoneTokens[:3])
	if len(rs) != 3 || rs[1].Zone != "eu1" || rs[1].Label != zoneTokens[1].Label || rs[1].Created != zoneTokens[1].Created || CountRevoked(rs) != 0 {
		t.Fatalf("Revocations = %+v", rs)
	}
	rs[0].Revoked, rs[2].Revoked = true, true
	if n := CountRevoked(rs); n != 2 {
		t.Errorf("CountRevoked = %d; want 2", n)
	}
}
