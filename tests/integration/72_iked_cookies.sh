#!/usr/bin/env bash
# 72: the cookie path (RFC 7296 §2.6) both ways with strongSwan 5.9.8.
#   1. strongSwan responder with dos_protection = yes and cookie_threshold
#      = 1, and one half-open SA at strongSwan (a crafted IKE_SA_INIT that
#      is never followed by IKE_AUTH, tests/tools/ike_inject.py): eesp-iked
#      initiates, gets N(COOKIE), repeats its request with the cookie first
#      and the SA comes up (cookies_received >= 1, strongSwan's list-sas
#      shows it ESTABLISHED and childless).  strongSwan 5.9.8's
#      cookie_threshold = 0 switches cookies off (receiver.c:
#      "cookie_threshold && half_open >= cookie_threshold"), so 1 and one
#      half-open SA is the way to make it ask for a cookie every time;
#   2. eesp-iked responder with cookie_threshold = 0: strongSwan initiates,
#      eesp-iked answers N(COOKIE) without keeping state (cookies_sent >= 1,
#      no half-open SA before the cookie came back), the SA comes up.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_iked.sh"
iked_init
require_strongswan
net_create 2

log "1. strongSwan asks for cookies"
SW_CHARON_EXTRA="dos_protection = yes
  cookie_threshold = 1"
sw_conf 2 1
iked_conf 1 2
sw_start 2
iked_start 1
# a half-open SA at strongSwan, from node 1's address but another port
nsx 1 "$PY" tests/tools/ike_inject.py --src "$(ul4 1)" --sport 501 --dst "$(ul4 2)" sa-init >/dev/null ||
	fail "ike_inject sa-init"
sw_halfopen() { sw 2 --list-sas 2>/dev/null | grep -q CONNECTING; }
wait_for 5 sw_halfopen || fail "strongSwan has no half-open SA: $(sw 2 --list-sas)"
iked 1 initiate node2 >/dev/null || fail "initiate"
wait_for 10 iked_up 1 || fail "eesp-iked did not establish through the cookie"
wait_for 10 sw_up 2 || fail "strongSwan did not establish"
sw_expect_suite 2
same_spis 1 2
c=$(iked_counter 1 cookies_received)
[ "$c" -ge 1 ] || fail "strongSwan asked for no cookie (cookies_received $c)"
sw_logged 2 'generating IKE_SA_INIT response 0 \[ N(COOKIE) \]' ||
	fail "strongSwan's log shows no cookie sent"
iked_logged 1 'the peer asks for a cookie' || fail "eesp-iked did not log the cookie"
log "eesp-iked repeated IKE_SA_INIT with the cookie ($c cookie(s) received)"
iked 1 terminate node2 >/dev/null
wait_for 10 sw_down 2 || fail "strongSwan kept the SA"
iked_stop 1
sw_stop 2

log "2. eesp-iked asks for cookies"
rm -f "$(sw_dir 2)/charon.log"
SW_CHARON_EXTRA=""
sw_conf 2 1
IKED_EXTRA="cookie_threshold = 0;"
iked_conf 1 2
sw_start 2
iked_start 1
out=$(sw 2 --initiate --ike eesp 2>&1) || fail "swanctl --initiate: $out"
wait_for 10 iked_up 1 || fail "eesp-iked did not establish"
sw_expect_suite 2
same_spis 1 2
c=$(iked_counter 1 cookies_sent)
[ "$c" -ge 1 ] || fail "eesp-iked sent no cookie (cookies_sent $c)"
[ "$(iked_counter 1 bad_cookie)" = 0 ] || fail "bad_cookie is not 0"
sw_logged 2 'parsed IKE_SA_INIT response 0 \[ N(COOKIE) \]' || fail "strongSwan did not log our cookie"
[ "$(iked_counter 1 half_open_expired)" = 0 ] || fail "a half-open SA was left behind"
log "strongSwan: $(grep -m1 'N(COOKIE)' "$(sw_dir 2)/charon.log" | sed 's/^.*\] //')"
log "PASS"
