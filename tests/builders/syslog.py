"""Network syslog lines of many vendors (one scenario) and the segments CSV that goes with them."""
from __future__ import annotations

SEGMENTS = """cidr,segment
10.1.0.0/16,AD
10.2.0.0/16,EHR
10.3.0.0/16,office
198.51.100.0/24,@vpn-allow
203.0.113.80/32,@outbound-allow
"""


def syslog_lines() -> list[str]:
    out = []
    # AD -> EHR over RDP (allowed, ASA) and SMB (denied, RTX)
    out.append("<166>Jan  5 10:00:00 asa %ASA-6-106100: access-list in permitted tcp inside/10.1.0.5(50000) -> "
               "dmz/10.2.0.9(3389) hit-cnt 1 first hit [0x0, 0x0]")
    out.append("<134>Jan  5 10:00:01 rtx PP[01] Rejected at IN(2000) filter: TCP 10.1.0.5:50001 > 10.2.0.9:445")
    # office scanning: 30 addresses on 445 within seconds (iptables)
    for i in range(30):
        out.append(f"<4>Jan  5 10:01:{i:02d} gw kernel: DROP SRC=10.3.0.77 DST=10.3.1.{i} PROTO=TCP SPT=4000{i % 10} "
                   f"DPT=445")
    # VPN brute force from an outside address (FortiGate), and a success from outside the allowlist
    for i in range(6):
        out.append(f'date=2024-01-05 time=10:02:0{i} devid="FGT" logid="0101039426" type="event" subtype="vpn" '
                   f'logdesc="SSL VPN login fail" action="ssl-login-fail" remip=192.0.2.66 user="nurse{i}"')
    out.append("<134>Jan  5 10:03:00 rtx [L2TP] TUNNEL[1] connected from 192.0.2.99")
    out.append("<134>Jan  5 10:03:05 rtx [L2TP] TUNNEL[2] connected from 198.51.100.7")  # allowed vendor VPN
    # admin login failures on the router (sshd-style and RTX)
    for i in range(4):
        out.append(f"<134>Jan  5 10:04:0{i} rtx Login failed for SSH: 10.3.0.50 admin")
    # EHR to the internet (clinical segment), and office to an allowed destination
    out.append("<14>Jan  5 10:05:00 pa 1,2024/01/05 10:05:00,0128,TRAFFIC,end,2049,2024/01/05 10:05:00,10.2.0.20,"
               "192.0.2.200,0.0.0.0,0.0.0.0,rule1,,,ssl,vsys1,trust,untrust,e1,e2,fwd,2024/01/05 10:05:00,1,1,"
               "51000,443,0,0,0x0,tcp,allow,100,50,50,1")
    out.append("<134>Jan  5 10:05:01 pfsense filterlog[1]: 5,,,100,igb1,match,pass,out,4,0x0,,64,0,0,DF,6,tcp,60,"
               "10.3.0.4,203.0.113.80,53000,443,0,S,1,,64240,,mss")
    out.append("this line is from nobody we know")
    return out
