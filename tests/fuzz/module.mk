# libFuzzer harnesses (clang, -fsanitize=fuzzer,address,undefined) for
# what the agent parses from outside: tests/fuzz/fuzz-<name>.c, each
# linked with the agent sources it names in FUZZ_SRCS_<name>, its seed
# corpus in tests/fuzz/corpus/<name>/.
#   make fuzz [FUZZ_TIME=60]   each harness for FUZZ_TIME seconds; new
#                              inputs go to build/fuzz/new-<name>/
#   make check                 each over its corpus once (t-robust-fuzz)
FUZZ_CC ?= clang
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz-%.c,%,$(wildcard tests/fuzz/fuzz-*.c))
FUZZ_BINS := $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz-%)
FUZZ_FLAGS := -g -O1 -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-Iprotocol $(PKG_CFLAGS)
FUZZ_LIBS = $(shell pkg-config --libs xlutil xenlight xentoollog)

FUZZ_SRCS_reqparse := agent/reqparse.c agent/spec.c agent/bdf.c \
	agent/log.c agent/config.c

.SECONDEXPANSION:
$(BUILD)/fuzz/fuzz-%: tests/fuzz/fuzz-%.c $$(FUZZ_SRCS_$$*) | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $^ $(FUZZ_LIBS)

.PHONY: fuzz fuzz-bins
fuzz-bins: $(FUZZ_BINS)

fuzz: fuzz-bins
	@for n in $(FUZZ_NAMES); do \
		mkdir -p $(BUILD)/fuzz/new-$$n; \
		echo "fuzz-$$n: $(or $(FUZZ_TIME),60) s"; \
		$(BUILD)/fuzz/fuzz-$$n -max_total_time=$(or $(FUZZ_TIME),60) \
			-print_final_stats=1 -close_fd_mask=2 \
			-artifact_prefix=$(BUILD)/fuzz/ \
			$(BUILD)/fuzz/new-$$n tests/fuzz/corpus/$$n || exit 1; \
	done
