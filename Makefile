# eesp - stateless-encryption VPN.  See README.md.
#
#   make            build eespd, eespctl and the core library
#   make deps       install missing Debian packages (apt-get, non-interactive)
#   make check      deps + build + every test (unit, vectors, fuzz, dissector, integration),
#                   then check-asan (CHECK_ASAN=0 leaves it out)
#   make check-asan unit, cli and integration tests built with ASan+UBSan (build-asan/;
#                   the timing-only integration tests stay in the plain run: tools/check_asan.sh)
#   make demo       two namespaces, two daemons, traffic through the tunnel
#   make fuzz       run every fuzzer for FUZZ_SECONDS (default 300)
#   make dissector  build the Wireshark plugin
#   make deb        Debian packages eesp and wireshark-eesp (debian/) in build/deb/
#   make clean

PREFIX ?= /usr/local
DESTDIR ?=
B := build

PKGS := libcrypto liburing libconfig libcap-ng libseccomp
# Debian packages needed to build and test (make deps installs the missing ones;
# prometheus: promtool checks `eespctl metrics`, tests/integration/27_metrics.sh;
# libnss-systemd: an NSS module a reload's group lookup reaches, test 31).
DEB_BUILD := build-essential pkg-config libssl-dev liburing-dev libconfig-dev \
	libcap-ng-dev libseccomp-dev libcriterion-dev
# etcd-server, etcd-client: tests/integration/54 runs an etcd of its own in a
# namespace (tools/deps.sh keeps the packaged service down); python3-yaml,
# python3-pyhcl: it reads conf/examples/keydir's Kubernetes manifest and Vault
# Agent configuration.
DEB_TEST := clang libclang-rt-14-dev iproute2 iputils-ping iperf3 tcpdump tshark ethtool \
	wireshark-dev libwireshark-dev libgcrypt20-dev libglib2.0-dev mandoc \
	procps psmisc util-linux python3 python3-cryptography openssl man-db \
	strongswan-swanctl charon-systemd nftables prometheus libnss-systemd \
	etcd-server etcd-client python3-yaml python3-pyhcl
# make deb and its test (tests/pkg): the Debian tools, and systemd for
# systemd-sysusers/systemd-tmpfiles (and systemd-analyze, tests/integration/20)
DEB_PKG := debhelper dpkg-dev lintian systemd
DEB_ALL := $(DEB_BUILD) $(DEB_TEST) $(DEB_PKG)

CC ?= cc
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wvla -Wundef
CFLAGS ?= -O2 -g
# src/core: the protocol, no I/O; src/ike: the IKEv2 protocol core, no I/O;
# src/sys: I/O shared by the programs; src/eespd: the daemon (see README.md,
# Source tree)
CFLAGS += -std=c11 -D_GNU_SOURCE -fno-strict-aliasing $(WARN) -Isrc/core -Isrc/ike -Isrc/sys
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LDLIBS = $(PKG_LIBS) -lpthread
# Bind every symbol at load (and make the GOT read-only): a lazily bound
# first call into libcrypto runs the dynamic linker's resolver, which saves
# all vector registers on the stack, and a key that was just copied through
# them stays there (tests/unit/test_config_wipe.c).
LDFLAGS += -Wl,-z,relro,-z,now

CORE_SRC := $(wildcard src/core/*.c)
IKE_SRC := $(wildcard src/ike/*.c)
VEC_SRC := $(wildcard src/vectors/*.c)
SYS_SRC := $(wildcard src/sys/*.c)
EESPD_SRC := $(wildcard src/eespd/*.c)
IKED_SRC := $(wildcard src/iked/*.c)
CLI_SRC := $(wildcard cli/*.c)
UNIT_SRC := $(wildcard tests/unit/*.c)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)

CORE_OBJ := $(CORE_SRC:%.c=$(B)/%.o)
IKE_OBJ := $(IKE_SRC:%.c=$(B)/%.o)
VEC_OBJ := $(VEC_SRC:%.c=$(B)/%.o)
SYS_OBJ := $(SYS_SRC:%.c=$(B)/%.o)
EESPD_OBJ := $(EESPD_SRC:%.c=$(B)/%.o)
EESPD_LIB_OBJ := $(filter-out $(B)/src/eespd/main.o,$(EESPD_OBJ))
IKED_OBJ := $(IKED_SRC:%.c=$(B)/%.o)
IKED_LIB_OBJ := $(filter-out $(B)/src/iked/main.o,$(IKED_OBJ))
CLI_OBJ := $(CLI_SRC:%.c=$(B)/%.o)
UNIT_OBJ := $(UNIT_SRC:%.c=$(B)/%.o)
FUZZERS := $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzz/%)
TOOLS := $(patsubst tests/tools/%.c,$(B)/tools/%,$(wildcard tests/tools/*.c))

BINS := $(B)/libeespcore.a $(B)/libeespike.a $(B)/libeespsys.a $(B)/eespd $(B)/eespctl \
	$(B)/eesp-iked

.PHONY: all tools deps check check-unit demo bench-fleet fuzz fuzz-brief dissector clean install uninstall \
	vectors bench format deb

all: $(BINS)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP -c $< -o $@

# the daemon's own files see its headers too
$(B)/src/eespd/%.o: src/eespd/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Isrc/eespd $(PKG_CFLAGS) -MMD -MP -c $< -o $@

# eesp-iked's files see its headers too
$(B)/src/iked/%.o: src/iked/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Isrc/iked $(PKG_CFLAGS) -MMD -MP -c $< -o $@

# rm first: ar would keep the member of a source file that no longer exists
$(B)/libeespcore.a: $(CORE_OBJ)
	@mkdir -p $(B)
	rm -f $@
	$(AR) rcs $@ $^

# the IKEv2 protocol core (src/ike/README.md); it uses libeespcore (secmem)
$(B)/libeespike.a: $(IKE_OBJ)
	@mkdir -p $(B)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/libeespsys.a: $(SYS_OBJ)
	@mkdir -p $(B)
	rm -f $@
	$(AR) rcs $@ $^

# eespd's modules without main(): the daemon, and what the unit tests and
# the configuration fuzzer build in memory
$(B)/libeespd.a: $(EESPD_LIB_OBJ)
	@mkdir -p $(B)
	rm -f $@
	$(AR) rcs $@ $^

# the test-vector generator (src/vectors/): eespctl vectors, genvectors and
# the unit tests link it; eespd does not
$(B)/libeespvectors.a: $(VEC_OBJ)
	@mkdir -p $(B)
	rm -f $@
	$(AR) rcs $@ $^
$(VEC_OBJ) $(CLI_OBJ) $(UNIT_OBJ): CFLAGS += -Isrc/vectors

$(B)/eespd: $(B)/src/eespd/main.o $(B)/libeespd.a $(B)/libeespsys.a $(B)/libeespcore.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# eesp-iked's modules without main(): the daemon and the unit tests
$(B)/libeespiked.a: $(IKED_LIB_OBJ)
	@mkdir -p $(B)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/eesp-iked: $(B)/src/iked/main.o $(B)/libeespiked.a $(B)/libeespike.a $(B)/libeespsys.a \
		$(B)/libeespcore.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# libeespike: the pair keys of the vectors and of derive pairkey (src/ike/ike_pairkey.h)
$(B)/eespctl: $(CLI_OBJ) $(B)/libeespvectors.a $(B)/libeespike.a $(B)/libeespsys.a $(B)/libeespcore.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# small test programs for the integration tests (tests/tools/*.c)
# fleet_gcks too: tests/cli/17 runs a small fleet, so that make bench-fleet
# cannot break unseen
tools: $(TOOLS) $(B)/fleet_gcks
$(B)/tools/%: tests/tools/%.c tests/tools/garble.h $(B)/libeespsys.a $(B)/libeespcore.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) $(PKG_CFLAGS) -o $@ $< $(B)/libeespsys.a $(B)/libeespcore.a $(LDLIBS)

# kdpcap crafts a key-download capture with the IKE core and eesp-iked's key log
$(B)/tools/kdpcap: tests/tools/kdpcap.c $(B)/libeespiked.a $(B)/libeespike.a $(B)/libeespsys.a \
		$(B)/libeespcore.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -Isrc/iked $(PKG_CFLAGS) -o $@ $< $(B)/libeespiked.a \
		$(B)/libeespike.a $(B)/libeespsys.a $(B)/libeespcore.a $(LDLIBS)

# ikeflood: spoofed IKE_SA_INIT requests built with the IKE core
$(B)/tools/ikeflood: tests/tools/ikeflood.c $(B)/libeespike.a $(B)/libeespcore.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) $(PKG_CFLAGS) -o $@ $< $(B)/libeespike.a $(B)/libeespcore.a \
		$(LDLIBS)

# unit tests: the core, the system library and the daemon's modules, all in
# memory (the daemon's sandbox must kill a forbidden call: test_sandbox.c)
$(B)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Isrc/eespd -Isrc/iked $(PKG_CFLAGS) -MMD -MP -c $< -o $@
$(B)/test_unit: $(UNIT_OBJ) $(B)/libeespd.a $(B)/libeespiked.a $(B)/libeespvectors.a $(B)/libeespike.a \
		$(B)/libeespsys.a $(B)/libeespcore.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcriterion

# libFuzzer harnesses: the core is rebuilt with clang and the sanitizers.
FUZZ_CC := clang
FUZZ_FLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -Isrc/core -Isrc/ike -Isrc/sys -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined
$(B)/fuzz/%: tests/fuzz/%.c $(CORE_SRC) $(wildcard src/core/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(PKG_CFLAGS) -o $@ $< $(CORE_SRC) $(filter-out tests/fuzz/%,$(wildcard tests/fuzz/support/*.c)) $(PKG_LIBS)

# the IKE message parser, SK decryption and the KD parser: the IKE core too
$(B)/fuzz/fuzz_ike: tests/fuzz/fuzz_ike.c $(IKE_SRC) $(CORE_SRC) $(wildcard src/core/*.h src/ike/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(PKG_CFLAGS) -o $@ $< $(IKE_SRC) $(CORE_SRC) $(PKG_LIBS)

# the key server's state file text (src/ike/ike_gcks_state.c)
$(B)/fuzz/fuzz_gcks_state: tests/fuzz/fuzz_gcks_state.c $(IKE_SRC) $(CORE_SRC) $(wildcard src/core/*.h src/ike/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(PKG_CFLAGS) -o $@ $< $(IKE_SRC) $(CORE_SRC) $(PKG_LIBS)

# eesp-iked's engine with its configuration parser and the IKE core; no
# sockets, no processes (tests/fuzz/fuzz_iked.c)
FUZZ_IKED_SRC := $(filter-out src/iked/main.c src/iked/ikeproc.c src/iked/ctlverbs.c \
	src/iked/udp.c src/iked/authproc.c src/iked/gcks_watch.c src/iked/gcks_statefile.c,$(IKED_SRC)) src/sys/cfgutil.c \
	src/sys/log.c src/sys/keyload.c src/sys/keydirload.c src/sys/fdread.c
$(B)/fuzz/fuzz_iked: tests/fuzz/fuzz_iked.c $(FUZZ_IKED_SRC) $(IKE_SRC) $(CORE_SRC) \
		$(wildcard src/core/*.h src/ike/*.h src/sys/*.h src/iked/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -Isrc/iked $(PKG_CFLAGS) -o $@ $< $(FUZZ_IKED_SRC) $(IKE_SRC) \
		$(CORE_SRC) $(PKG_LIBS)

# the configuration parser: the daemon's conf*.c and snap.c with the
# system library's libconfig helpers (cfgutil.c) and logging, nothing else
FUZZ_CONFIG_SRC := $(wildcard src/eespd/conf*.c) src/eespd/snap.c src/sys/cfgutil.c src/sys/keyload.c src/sys/fdread.c src/sys/log.c
$(B)/fuzz/fuzz_config: tests/fuzz/fuzz_config.c $(FUZZ_CONFIG_SRC) $(CORE_SRC) $(wildcard src/core/*.h src/sys/*.h src/eespd/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -Isrc/eespd $(PKG_CFLAGS) -o $@ $< $(filter-out src/eespd/confenv.c,$(FUZZ_CONFIG_SRC)) $(CORE_SRC) $(PKG_LIBS)

# the TUN offload code (virtio-net header, TSO/USO split) of the daemon: offload.c.
$(B)/fuzz/fuzz_vnet: tests/fuzz/fuzz_vnet.c tests/unit/csumref.h src/eespd/offload.c src/eespd/offload.h $(wildcard src/core/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -Isrc/eespd -o $@ $< src/eespd/offload.c

deps:
	@tools/deps.sh $(DEB_ALL)

dissector:
	$(MAKE) -C dissector

check: deps
	$(MAKE) all $(B)/test_unit $(FUZZERS) tools
	$(MAKE) dissector
	@rc=0; tools/check.sh || rc=1; \
	if [ "$(CHECK_ASAN)" != 0 ]; then $(MAKE) check-asan || rc=1; fi; exit $$rc

check-unit: $(B)/test_unit
	$(B)/test_unit

# ASan+UBSan: the core, eespd, eespctl, test_unit and tools rebuilt in build-asan/
# (CFLAGS via the environment, so the warnings and -std still apply), then the
# unit, cli and integration tests against them; any sanitizer report fails.
ASAN_B := build-asan
ASAN_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
.PHONY: check-asan
check-asan:
	CFLAGS="$(ASAN_CFLAGS)" $(MAKE) B=$(ASAN_B) all $(ASAN_B)/test_unit tools
	B=$(ASAN_B) tools/check_asan.sh

FUZZ_SECONDS ?= 300
fuzz: $(FUZZERS)
	@tools/fuzz.sh $(FUZZ_SECONDS) $(FUZZERS)

fuzz-brief: $(FUZZERS)
	@tools/fuzz.sh 30 $(FUZZERS)

vectors: $(B)/eespctl
	$(B)/eespctl vectors --out vectors

# Benchmarks (not part of check): peers from Debian, eespd, micro-benchmarks; see bench/README.md.
bench:
	@tools/deps.sh iperf3 iproute2 iputils-ping openssl python3 procps wireguard-go wireguard-tools openvpn quicktun gnuplot-nox
	-$(MAKE) all
	-$(MAKE) $(B)/bench_micro $(B)/bench_udpgen $(B)/bench_ike_setups
	bench/bench.sh

# the IKE SA setup-rate initiator (bench/ike_setups.c), on the IKE core
$(B)/bench_ike_setups: bench/ike_setups.c $(B)/libeespike.a $(B)/libeespcore.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libeespike.a $(B)/libeespcore.a $(LDLIBS)

# bench/micro.c (main), micro_common.c and one file per benchmark family (bench/micro_*.c)
BENCH_SRC := $(wildcard bench/micro*.c)
$(B)/bench_micro: $(BENCH_SRC) bench/micro_common.h $(B)/libeespcore.a
	$(CC) $(CFLAGS) $(LDFLAGS) $(PKG_CFLAGS) -o $@ $(BENCH_SRC) $(B)/libeespcore.a $(LDLIBS)

# The domain key server with a simulated fleet (bench/fleet_gcks.c: one
# server and N member engines multiplexed in one process); 100, 300, 1000
bench-fleet: $(B)/fleet_gcks
	@for n in 100 300 1000; do $(B)/fleet_gcks $$n 3 || exit 1; done
$(B)/fleet_gcks: bench/fleet_gcks.c $(B)/libeespiked.a $(B)/libeespike.a $(B)/libeespsys.a \
		$(B)/libeespcore.a
	$(CC) $(CFLAGS) -Isrc/iked $(LDFLAGS) -o $@ bench/fleet_gcks.c $(B)/libeespiked.a \
		$(B)/libeespike.a $(B)/libeespsys.a $(B)/libeespcore.a $(LDLIBS)

# sendmmsg traffic generator and sink, plain or forged EESP/PSP (bench/udpgen.c)
$(B)/bench_udpgen: bench/udpgen.c $(B)/libeespcore.a
	$(CC) $(CFLAGS) $(LDFLAGS) $(PKG_CFLAGS) -o $@ $^ $(LDLIBS)

demo: deps
	$(MAKE) all
	@tools/demo.sh

format:
	clang-format -i $(CORE_SRC) $(wildcard src/core/*.h) $(VEC_SRC) $(wildcard src/vectors/*.h) \
		$(IKE_SRC) $(wildcard src/ike/*.h) \
		$(SYS_SRC) $(wildcard src/sys/*.h) $(EESPD_SRC) $(wildcard src/eespd/*.h) \
		$(IKED_SRC) $(wildcard src/iked/*.h) \
		$(CLI_SRC) $(wildcard cli/*.h) $(UNIT_SRC) $(FUZZ_SRC) $(BENCH_SRC) bench/ike_setups.c bench/micro_common.h

clean:
	rm -rf $(B) build-asan
	-$(MAKE) -C dissector clean

-include $(CORE_OBJ:.o=.d) $(VEC_OBJ:.o=.d) $(IKE_OBJ:.o=.d) $(SYS_OBJ:.o=.d) $(EESPD_OBJ:.o=.d) \
	$(IKED_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT_OBJ:.o=.d)

# EESP/PSP test vectors (vectors/): the generator and a regeneration target.
.PHONY: vectors-regen
$(B)/genvectors: tools/genvectors.c $(B)/libeespvectors.a $(B)/libeespike.a $(B)/libeespcore.a
	@mkdir -p $(B)
	$(CC) $(CFLAGS) $(LDFLAGS) -Isrc/vectors $(PKG_CFLAGS) -o $@ $< $(B)/libeespvectors.a \
		$(B)/libeespike.a $(B)/libeespcore.a $(LDLIBS)

vectors-regen: $(B)/genvectors
	$(B)/genvectors vectors

# ---------------------------------------------------------------- install --
# make install [PREFIX=/usr/local] [DESTDIR=]: eespd and eesp-iked -> sbin, eespctl -> bin,
# man pages, eespctl's bash completion, sample configuration (never /etc),
# the systemd unit if present
# (ExecStart pointed at $(PREFIX)/sbin/eespd) with its tmpfiles.d and
# sysusers.d entries, eesp-iked's sysusers.d entry, the Wireshark plugin if
# the Wireshark development files are there.  make uninstall removes those files.
SBINDIR ?= $(PREFIX)/sbin
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
EESP_DATADIR ?= $(PREFIX)/share/eesp
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
INST_MAN := $(wildcard man/*.5 man/*.7 man/*.8)
INST_CONF := $(sort $(shell find conf -type f ! -name eespd.service ! -name '*~' 2>/dev/null))
INST_UNIT := $(wildcard conf/eespd.service)
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
# bash-completion looks in $XDG_DATA_DIRS/bash-completion/completions, which
# holds /usr/local/share and /usr/share
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
HAVE_WS := $(shell pkg-config --exists wireshark && echo yes)

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR)
	install -m 0755 $(B)/eespd $(DESTDIR)$(SBINDIR)/eespd
	install -m 0755 $(B)/eesp-iked $(DESTDIR)$(SBINDIR)/eesp-iked
	install -m 0755 $(B)/eespctl $(DESTDIR)$(BINDIR)/eespctl
	install -D -m 0644 completion/eespctl.bash $(DESTDIR)$(BASHCOMPDIR)/eespctl
	for m in $(INST_MAN); do \
		s=$${m##*.}; install -D -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/$${m#man/} || exit 1; \
	done
	for f in $(INST_CONF); do \
		mode=0644; case $$f in *.keys) mode=0600;; esac; [ -x $$f ] && mode=0755; \
		install -D -m $$mode $$f $(DESTDIR)$(EESP_DATADIR)/$$f || exit 1; \
	done
ifneq ($(INST_UNIT),)
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	sed -E -e 's#^(Exec[A-Za-z]*=[-@!+:]*)[^ ]*/eespd( |$$)#\1$(SBINDIR)/eespd\2#' \
		-e 's#[^ =]*/eespctl( |$$)#$(BINDIR)/eespctl\1#g' \
		$(INST_UNIT) >$(DESTDIR)$(SYSTEMDUNITDIR)/eespd.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/eespd.service
	install -D -m 0644 conf/eespd.tmpfiles $(DESTDIR)$(TMPFILESDIR)/eespd.conf
	install -D -m 0644 conf/eespd.sysusers $(DESTDIR)$(SYSUSERSDIR)/eespd.conf
endif
	install -D -m 0644 conf/eesp-iked.sysusers $(DESTDIR)$(SYSUSERSDIR)/eesp-iked.conf
ifeq ($(HAVE_WS),yes)
	$(MAKE) -C dissector install DESTDIR=$(abspath $(DESTDIR))
else
	@echo "install: Wireshark development files not found, plugin not installed"
endif

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/eespd $(DESTDIR)$(SBINDIR)/eesp-iked $(DESTDIR)$(BINDIR)/eespctl \
		$(DESTDIR)$(BASHCOMPDIR)/eespctl $(DESTDIR)$(SYSUSERSDIR)/eesp-iked.conf
	for m in $(INST_MAN); do rm -f $(DESTDIR)$(MANDIR)/man$${m##*.}/$${m#man/}; done
	for f in $(INST_CONF); do rm -f $(DESTDIR)$(EESP_DATADIR)/$$f; done
	-[ ! -d $(DESTDIR)$(EESP_DATADIR) ] || find $(DESTDIR)$(EESP_DATADIR) -depth -type d -empty -delete
	rm -f $(DESTDIR)$(SYSTEMDUNITDIR)/eespd.service $(DESTDIR)$(TMPFILESDIR)/eespd.conf \
		$(DESTDIR)$(SYSUSERSDIR)/eespd.conf
ifeq ($(HAVE_WS),yes)
	$(MAKE) -C dissector uninstall DESTDIR=$(abspath $(DESTDIR))
endif

# ------------------------------------------------------------------- deb --
# make deb: the Debian packages (debian/: eesp, wireshark-eesp), binary only
# and unsigned, in $(B)/deb/.  dpkg-buildpackage writes its results into the
# parent of the tree it builds, so it builds a copy of this tree (without
# build output and .git) in $(B)/deb/src: the results land in $(B)/deb/,
# never beside the clone.  Check them with lintian $(B)/deb/*.changes.
DEB_OUT := $(B)/deb
DEB_JOBS ?= $(shell nproc 2>/dev/null || echo 1)
deb:
	@command -v dpkg-buildpackage >/dev/null || { echo "deb: dpkg-buildpackage missing (make deps)"; exit 1; }
	rm -rf $(DEB_OUT)
	mkdir -p $(DEB_OUT)/src
	tar -cf - --exclude=./$(B) --exclude=./build --exclude=./build-asan --exclude=./dissector/build \
		--exclude=./.git --exclude=./bench/work . | tar -C $(DEB_OUT)/src -xf -
	cd $(DEB_OUT)/src && dpkg-buildpackage -us -uc -b -J$(DEB_JOBS)
	@ls $(DEB_OUT)/*.deb
