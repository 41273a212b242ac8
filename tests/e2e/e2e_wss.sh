#!/bin/bash
# wss:// verifies the server's certificate: against the feed's "ca_file" if it has one, else the
# system trust store. With a private CA made here by openssl (and a second, unrelated one):
#   A. no ca_file: the system store does not know the private CA: rejected;
#   B. ca_file = the unrelated CA: rejected;
#   C. ca_file = the private CA: live and showing the value sent; in the same wall, feeds as in
#      A and B (each on a vhost of its own) are still rejected: one feed's CA is not the others'.
#   D. ca_file = the private CA, but the server's certificate (signed by it) names another host:
#      rejected (the host name is checked, not only the chain).
# A rejected feed never goes live (connects 0, nothing received, the server never sees its
# request), says why in last_error, keeps retrying, and the wall keeps drawing its other tiles
# (a plain ws:// feed on another server stays live).
source "$(dirname "$0")/lib.sh"
need_tool openssl

# ------------------------------------------------------------------ certificates

pki="$WB_SCRATCH/pki"
mkdir -p "$pki"
cat >"$pki/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[v3_server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_wrong_host]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.invalid
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
ssl() { openssl "$@" >>"$pki/openssl.log" 2>&1 || fail "openssl $* failed: $(tail -n 5 "$pki/openssl.log")"; }
newkey=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
# make_ca NAME CN: NAME.key and the self-signed NAME.pem
make_ca() {
    ssl req -x509 -new -config "$pki/openssl.cnf" -extensions v3_ca "${newkey[@]}" \
        -keyout "$pki/$1.key" -out "$pki/$1.pem" -days 2 -subj "/CN=$2"
}
make_ca ca "wallboard e2e private CA"
make_ca other-ca "wallboard e2e unrelated CA"
ssl req -new -config "$pki/openssl.cnf" "${newkey[@]}" -keyout "$pki/server.key" \
    -out "$pki/server.csr" -subj "/CN=127.0.0.1"
ssl x509 -req -in "$pki/server.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -set_serial 0x5e55 \
    -days 2 -extfile "$pki/openssl.cnf" -extensions v3_server -out "$pki/server.pem"
ssl req -new -config "$pki/openssl.cnf" "${newkey[@]}" -keyout "$pki/wrong-host.key" \
    -out "$pki/wrong-host.csr" -subj "/CN=wrong.invalid"
ssl x509 -req -in "$pki/wrong-host.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -set_serial 0x5e56 \
    -days 2 -extfile "$pki/openssl.cnf" -extensions v3_wrong_host -out "$pki/wrong-host.pem"
# the premises, checked with openssl itself
openssl verify -CAfile "$pki/ca.pem" "$pki/server.pem" >/dev/null 2>&1 ||
    fail "openssl does not verify server.pem against the private CA"
! openssl verify -CAfile "$pki/other-ca.pem" "$pki/server.pem" >/dev/null 2>&1 ||
    fail "server.pem verifies against the unrelated CA"
! openssl verify "$pki/server.pem" >/dev/null 2>&1 ||
    fail "server.pem verifies against the system trust store"
log "private CA, unrelated CA and a server certificate for 127.0.0.1 made in $pki"

# ------------------------------------------------------------------ servers

# the TLS server logs each websocket handshake: a rejected feed's request must never reach it
hs_log="$WB_SCRATCH/tls-handshakes.log"
: >"$hs_log"
server_start_script tls --tls-cert "$pki/server.pem" --tls-key "$pki/server.key" --log "$hs_log" <<'S'
{"key":"s","value":443}
S
wrong_host_log="$WB_SCRATCH/tls-wrong-host-handshakes.log"
: >"$wrong_host_log"
server_start_script tlshost --tls-cert "$pki/wrong-host.pem" --tls-key "$pki/wrong-host.key" \
    --log "$wrong_host_log" <<'S'
{"key":"s","value":443}
S
server_start_script plain <<'S'
{"key":"p","value":80}
S
# wss URL NAME PATH
wss_url() { printf 'wss://127.0.0.1:%s/%s' "${SRV_PORT[$1]}" "$2"; }

# ------------------------------------------------------------------ helpers

# write_wall TITLE FEED_JSON TILE_JSON: FEED_JSON/TILE_JSON are extra members/elements before
# the plain feed "plain" and its tile "p" (cell [0, 0]).
write_wall() {
    cat >"$WALL_CONFIG" <<EOF
{"title": "$1", "grid": {"columns": 4, "rows": 1, "gap": 12},
 "feeds": {$2,
  "plain": {"url": "$(url plain)"}},
 "tiles": [$3,
  $(counter_tile p 0 0 60 plain)
 ]}
EOF
}

# reconnects FEED: how many times the wall scheduled a reconnect of FEED (debug log).
reconnects() { grep -c "$1: reconnecting in" "$WALL_ERR" || true; }

# assert_rejected FEED TILE PATH: FEED failed at least 3 TLS handshakes, never went live, and
# says why; the server never saw a request on PATH.
assert_rejected() {
    local f=$1 t=$2 path=$3
    # 3 attempts failed (or, a failure below, one succeeded)
    poll 20 eval "(( \$(reconnects $f) >= 3 )) || grep -q '$f: connected to' '$WALL_ERR'" ||
        fail "feed $f: expected 3 failed attempts within 20 s, saw $(reconnects "$f")"
    wall_dump
    assert_jq "$(feed "$f").state != \"live\"" "feed $f not live"
    assert_eq "$(feed "$f").connects" 0 "feed $f connects"
    assert_eq "$(feed "$f").received" 0 "feed $f received"
    assert_jq "$(feed "$f").last_error | test(\"tls\"; \"i\") and test(\"certificate\"; \"i\")" \
        "feed $f's last_error to name the TLS certificate check"
    assert_jq "$(tile "$t").state != \"live\"" "tile $t not live"
    assert_jq "$(tile "$t").values.value != 443" "tile $t not showing the value sent over TLS"
    if grep -q "^connect /$path" "$hs_log"; then
        fail "the TLS server got a websocket request on /$path from a feed that should not trust it: $(cat "$hs_log")"
    fi
    # last_error cannot tell an unknown issuer from a wrong host (lws 4.1 reports only "SSL err"
    # there); lws' own line, logged by the wall, names OpenSSL's verification error
    grep -Eq "SSL error: .*(certificate|mismatch)" "$WALL_ERR" ||
        fail "feed $f: no OpenSSL certificate verification error in the wall's log"
    log "feed $f rejected: $(jqv "$(feed "$f").state"), last_error '$(jqv "$(feed "$f").last_error")'"
}

# assert_wall_alive: the wall still draws (frames grow) and the plain feed is live with p = 80.
assert_wall_alive() {
    local frames
    frames=$(jqv .wallboard.frames)
    wall_wait 10 ".wallboard.frames > $frames and $(feed plain).state == \"live\" and $(tile p).values.value == 80" \
        "frames past $frames, feed plain live and tile p showing 80"
}

sys_feed() { printf '"sys": {"url": "%s"}' "$(wss_url tls sys)"; }
wrong_feed() { printf '"wrong": {"url": "%s", "ca_file": "%s"}' "$(wss_url tls wrong)" "$pki/other-ca.pem"; }
ok_feed() { printf '"ok": {"url": "%s", "ca_file": "%s"}' "$(wss_url tls ok)" "$pki/ca.pem"; }

# ------------------------------------------------------------------ A. no ca_file

log "case A: wss:// without ca_file, private CA unknown to the system store: rejected"
write_wall "e2e wss reject (system store)" "$(sys_feed)" "$(counter_tile s 1 0 60 sys)"
WALLBOARD_LOG=debug wall_start --headless --size 800x450
wall_wait 20 "$(feed plain).state == \"live\" and $(tile p).values.value == 80" "plain feed live, p = 80"
assert_rejected sys s sys
assert_wall_alive
wall_stop
assert_eq "$(feed sys).connects" 0 "case A: feed sys connects at exit"
cp "$WALL_ERR" "$WB_SCRATCH/wall-A.stderr"

# ------------------------------------------------------------------ B. the wrong ca_file

log "case B: wss:// with the unrelated CA as ca_file: rejected"
write_wall "e2e wss reject (wrong CA)" "$(wrong_feed)" "$(counter_tile s 1 0 60 wrong)"
WALLBOARD_LOG=debug wall_start --headless --size 800x450
wall_wait 20 "$(feed plain).state == \"live\" and $(tile p).values.value == 80" "plain feed live, p = 80"
assert_rejected wrong s wrong
assert_wall_alive
wall_stop
assert_eq "$(feed wrong).connects" 0 "case B: feed wrong connects at exit"
cp "$WALL_ERR" "$WB_SCRATCH/wall-B.stderr"

# ------------------------------------------------------------------ C. the private CA

log "case C: wss:// with the private CA as ca_file: live; A's and B's feeds beside it still rejected"
write_wall "e2e wss accept" "$(ok_feed), $(sys_feed), $(wrong_feed)" \
    "$(counter_tile s 1 0 60 ok), $(counter_tile s2 2 0 60 sys), $(counter_tile s3 3 0 60 wrong)"
WALLBOARD_LOG=debug wall_start --headless --size 800x450
wall_wait 20 "$(tile s).values.value == 443 and $(feed ok).state == \"live\"" \
    "feed ok live over TLS and tile s showing 443"
assert_eq "$(feed ok).connects" 1 "feed ok connects"
assert_eq "$(feed ok).last_error" '""' "feed ok last_error"
assert_eq "$(tile s).state" '"live"' "tile s state"
grep -qx "connect /ok" "$hs_log" || fail "the TLS server saw no request on /ok: $(cat "$hs_log")"
assert_rejected sys s2 sys
assert_rejected wrong s3 wrong
assert_wall_alive
wall_stop
assert_eq "$(tile s).values.value" 443 "tile s value at exit"
assert_eq "$(tile s).values.shown" '"443"' "tile s shown text at exit"
assert_eq "$(feed ok).connects" 1 "feed ok connects at exit"
assert_eq "$(feed sys).connects" 0 "feed sys connects at exit"
assert_eq "$(feed wrong).connects" 0 "feed wrong connects at exit"
assert_jq ".wallboard.frames >= 1" "frames presented"


# ------------------------------------------------------------------ D. the wrong host

log "case D: wss:// with the private CA, but a certificate for another host: rejected"
host_feed="\"host\": {\"url\": \"$(wss_url tlshost host)\", \"ca_file\": \"$pki/ca.pem\"}"
write_wall "e2e wss reject (wrong host)" "$host_feed" "$(counter_tile s 1 0 60 host)"
hs_log=$wrong_host_log # assert_rejected checks that this server never saw the request
WALLBOARD_LOG=debug wall_start --headless --size 800x450
wall_wait 20 "$(feed plain).state == \"live\" and $(tile p).values.value == 80" "plain feed live, p = 80"
assert_rejected host s host
grep -Eq "SSL error: .*mismatch" "$WALL_ERR" ||
    fail "case D: no host name mismatch in the wall's log (was it rejected for another reason?)"
assert_wall_alive
wall_stop
assert_eq "$(feed host).connects" 0 "case D: feed host connects at exit"

server_stop tls
server_stop tlshost
server_stop plain
