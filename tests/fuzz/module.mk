# Fuzz harnesses (tests/fuzz/fuzz-<name>.c), each built twice:
#  - a replayer (gcc, ASan+UBSan, tests/fuzz/replay.c as main) that
#    `make check` runs over the corpus tests/fuzz/<name>/ from
#    tests/t-fuzz-corpus.sh: no clang needed on a fresh Debian 12, and
#    the corpus still runs under both sanitizers;
#  - the same without sanitizers, which t-fuzz-corpus.sh runs under
#    valgrind: memcheck sees libxlutil's use of an uninitialised %n that
#    ASan cannot (libxlutil is not instrumented; see agent/spec.c);
#  - a libFuzzer binary (clang -fsanitize=fuzzer,address,undefined) for
#    `make fuzz`, which runs each for FUZZ_SECONDS (tests/fuzz/fuzz.sh).
# FUZZ_OBJS_<name>: the agent files the harness links (the rest, e.g.
# log_msg or sysfs, is faked in the harness).
FUZZ_NAMES := reqparse request spec intent xenbus qmp
FUZZ_OBJS_reqparse := agent/reqparse.o agent/spec.o agent/bdf.o \
	agent/log.o agent/config.o
FUZZ_OBJS_request := agent/reqparse.o agent/spec.o agent/bdf.o
FUZZ_OBJS_spec := agent/spec.o agent/bdf.o
FUZZ_OBJS_intent := agent/statedir.o agent/bdf.o agent/config.o
FUZZ_OBJS_xenbus := agent/xenbus_conn.o agent/xs.o agent/bdf.o agent/config.o \
	agent/cancel.o
FUZZ_OBJS_qmp := agent/qmp.o agent/qemupt.o agent/bdf.o agent/config.o \
	agent/cancel.o

FUZZ_LIBS = $(shell pkg-config --libs xenstore xlutil xenlight \
		xencontrol xentoollog) -lev -lyajl -lpthread
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
FUZZ_CFLAGS = -O1 -g -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror \
	-Iprotocol $(PKG_CFLAGS)
FZ_REPLAY := $(BUILD)/fuzz/replay
FZ_PLAIN := $(BUILD)/fuzz/plain
FZ_LIBFUZZER := $(BUILD)/fuzz/libfuzzer
FUZZ_CLANG ?= clang

$(FZ_REPLAY)/obj/%.o: %.c | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -MMD -MP -c -o $@ $<

$(FZ_PLAIN)/obj/%.o: %.c | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

$(FZ_LIBFUZZER)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CLANG) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link \
		-MMD -MP -c -o $@ $<

define FUZZ_RULES
$(FZ_REPLAY)/fuzz-$(1): $(FZ_REPLAY)/obj/tests/fuzz/fuzz-$(1).o \
		$(FZ_REPLAY)/obj/tests/fuzz/replay.o \
		$(addprefix $(FZ_REPLAY)/obj/,$(FUZZ_OBJS_$(1)))
	$(CC) $(FUZZ_SAN) -o $$@ $$^ $$(FUZZ_LIBS)
$(FZ_PLAIN)/fuzz-$(1): $(FZ_PLAIN)/obj/tests/fuzz/fuzz-$(1).o \
		$(FZ_PLAIN)/obj/tests/fuzz/replay.o \
		$(addprefix $(FZ_PLAIN)/obj/,$(FUZZ_OBJS_$(1)))
	$(CC) -o $$@ $$^ $$(FUZZ_LIBS)
$(FZ_LIBFUZZER)/fuzz-$(1): $(FZ_LIBFUZZER)/obj/tests/fuzz/fuzz-$(1).o \
		$(addprefix $(FZ_LIBFUZZER)/obj/,$(FUZZ_OBJS_$(1)))
	$(FUZZ_CLANG) $(FUZZ_SAN) -fsanitize=fuzzer -o $$@ $$^ $$(FUZZ_LIBS)
endef
$(foreach n,$(FUZZ_NAMES),$(eval $(call FUZZ_RULES,$(n))))

BINS += $(FUZZ_NAMES:%=$(FZ_REPLAY)/fuzz-%) $(FUZZ_NAMES:%=$(FZ_PLAIN)/fuzz-%)

# `make fuzz [FUZZ_SECONDS=60] [FUZZ_ONLY=qmp] [FUZZ_MERGE=1]`
.PHONY: fuzz fuzz-deps fuzz-bins
fuzz-deps:
	tests/deps.sh fuzz
fuzz-bins: fuzz-deps
	$(MAKE) $(FUZZ_NAMES:%=$(FZ_LIBFUZZER)/fuzz-%)
fuzz: fuzz-bins
	BUILD=$(BUILD) FUZZ_SECONDS=$(or $(FUZZ_SECONDS),60) \
		tests/fuzz/fuzz.sh $(or $(FUZZ_ONLY),$(FUZZ_NAMES))

-include $(shell find $(BUILD)/fuzz -name '*.d' 2>/dev/null)
