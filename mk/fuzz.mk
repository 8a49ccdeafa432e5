# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# fuzz.mk: libFuzzer targets for the policy parser, the event decoder, the matcher, report's
# reader and the JSON reader and writer (against jansson as an oracle), and the unit tests built
# without sanitizers under valgrind. Included by the Makefile; outputs under $(OUTPUT).
#
#   make fuzz            build every target, run each for FUZZ_SECONDS (60)
#   make fuzz-smoke      the same for FUZZ_SMOKE_SECONDS (20) each: the CI run
#   make valgrind-unit   unit tests without sanitizers under valgrind --leak-check=full
#   make fuzz-coverage   line coverage of user/ reached by the seeds and the inputs found so far
#   make fuzz-seeds      regenerate the binary seeds in tests/fuzz/corpus/ (after an ABI change)
#
# A crash, leak, timeout or broken invariant fails the target and leaves the input under
# $(OUTPUT)/fuzz/artifacts/NAME/; replay it with $(OUTPUT)/fuzz/fuzz_NAME FILE. Inputs that found
# new coverage accumulate in $(OUTPUT)/fuzz/corpus/NAME/, so later runs start from them.

FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 20
FUZZ_CLANG ?= $(CLANG)
FUZZ_DIR := $(OUTPUT)/fuzz
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(addprefix $(FUZZ_DIR)/fuzz_,$(FUZZ_NAMES))
FUZZ_SEEDS := $(FUZZ_DIR)/seeds
# Every agent source but main.c: fuzz_events drives the real pipeline, which links the modules
# that also talk to the kernel (their skeleton-using code is never called by the targets).
FUZZ_LIB_SRCS := $(LIB_SRCS)
FUZZ_OBJS := $(patsubst user/%.c,$(FUZZ_DIR)/obj/%.o,$(FUZZ_LIB_SRCS))
# Every UBSan report must end the run, or libFuzzer would neither notice it nor save the input.
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS := -g -O1 $(FUZZ_SAN) $(WARN) $(INCLUDES)
# Library objects get coverage instrumentation but no libFuzzer main().
FUZZ_COV := -fsanitize=fuzzer-no-link
FUZZ_LDLIBS := $(LDLIBS)
# Per-target libFuzzer options; FUZZ_FLAGS is added to every target's (e.g. FUZZ_FLAGS=-seed=1).
FUZZ_OPTS_policy := -dict=tests/fuzz/policy.dict -max_len=8192
FUZZ_OPTS_events := -max_len=16384
FUZZ_OPTS_match := -max_len=2048
FUZZ_OPTS_parcel := -max_len=4096
FUZZ_OPTS_hpack := -max_len=4096
FUZZ_OPTS_filevalues := -max_len=8192
FUZZ_OPTS_report := -max_len=8192
FUZZ_OPTS_json_oracle := -dict=tests/fuzz/json.dict -max_len=4096
FUZZ_OPTS_elfsym := -max_len=4097
# Libraries a target links besides FUZZ_LDLIBS: the oracle's jansson (renamed, mk/bench.mk).
FUZZ_LIBS_json_oracle := $(JANSSON_RENAMED)

# Unit tests without sanitizers (valgrind cannot run ASan binaries), linked against an archive of
# every agent source but main.c, like the sanitized ones, so a test pulls in only what it uses.
UNIT_PLAIN_DIR := $(OUTPUT)/unit-plain
UNIT_PLAIN_SRCS := $(filter-out user/main.c,$(wildcard user/*.c))
UNIT_PLAIN_OBJS := $(patsubst user/%.c,$(UNIT_PLAIN_DIR)/obj/%.o,$(UNIT_PLAIN_SRCS))
UNIT_PLAIN_LIB := $(UNIT_PLAIN_DIR)/libidsentry.a
UNIT_PLAIN_BINS := $(patsubst tests/unit/%.c,$(UNIT_PLAIN_DIR)/%,$(wildcard tests/unit/test_*.c))
VALGRIND ?= valgrind
VALGRIND_FLAGS ?= -q --leak-check=full --error-exitcode=1 --track-origins=yes

FUZZ_LLVM_COV ?= llvm-cov
FUZZ_LLVM_PROFDATA ?= llvm-profdata
# The files each target is about, for its coverage report.
FUZZ_COV_SRCS_policy := user/policy.c user/diag.c
FUZZ_COV_SRCS_events := user/events.c user/pipeline.c user/detect.c user/judge.c user/values.c \
			user/dns.c user/flow.c user/proctable.c user/destination.c user/modem.c
FUZZ_COV_SRCS_match := user/match.c user/encode.c
FUZZ_COV_SRCS_parcel := user/parcel.c
FUZZ_COV_SRCS_hpack := user/hpack.c
FUZZ_COV_SRCS_filevalues := user/filevalues.c
FUZZ_COV_SRCS_report := user/report_model.c user/report_text.c user/report_html.c user/jsonread.c
FUZZ_COV_SRCS_json_oracle := user/json.c user/jsonread.c
FUZZ_COV_SRCS_elfsym := user/elfsym.c

.PHONY: fuzz fuzz-smoke fuzz-build fuzz-seeds fuzz-coverage fuzz-toolchain valgrind-unit \
	valgrind-toolchain

$(FUZZ_DIR)/obj $(UNIT_PLAIN_DIR)/obj:
	$(Q)mkdir -p $@

# Installs clang's libFuzzer runtime (apt, as root) when it is missing.
fuzz-toolchain:
	$(Q)tests/fuzz/ensure-tool.sh fuzzer $(FUZZ_CLANG)

valgrind-toolchain:
	$(Q)tests/fuzz/ensure-tool.sh valgrind

$(FUZZ_DIR)/obj/%.o: user/%.c $(USER_HDRS) $(SKELS) | $(FUZZ_DIR)/obj fuzz-toolchain
	$(call msg,CC-FUZZ,$@)
	$(Q)$(FUZZ_CLANG) $(FUZZ_CFLAGS) $(FUZZ_COV) -c $< -o $@

# The automaton's build loops compare its own tables, not input bytes: tracing those comparisons
# guides nothing and took 40% of fuzz_events' time (a learnt value means ~100 forms to build).
$(FUZZ_DIR)/obj/match.o: FUZZ_COV += -fno-sanitize-coverage=trace-cmp

$(FUZZ_DIR)/fuzz_json_oracle $(FUZZ_DIR)/cov/fuzz_json_oracle: $(FUZZ_LIBS_json_oracle)
$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_OBJS) | fuzz-toolchain
	$(call msg,LINK-FUZZ,$@)
	$(Q)$(FUZZ_CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Itests/fuzz $< $(FUZZ_OBJS) \
		$(FUZZ_LIBS_$*) $(FUZZ_LDLIBS) -o $@

fuzz-build: $(FUZZ_BINS) $(FUZZ_SEEDS)/.stamp

# $(1): seconds per target. Every target runs even after one fails; the list of failures ends it.
# (A target added since the seeds were generated has no seed directory yet: an empty one.)
define fuzz_all
	$(Q)fail=; $(foreach t,$(FUZZ_NAMES),mkdir -p $(FUZZ_SEEDS)/$(t) && \
		tests/fuzz/run.sh $(FUZZ_DIR)/fuzz_$(t) $(t) $(1) \
		$(FUZZ_DIR) tests/fuzz/corpus/$(t) $(FUZZ_SEEDS)/$(t) $(FUZZ_OPTS_$(t)) \
		$(FUZZ_FLAGS) || fail="$$fail $(t)";) \
	if [ -n "$$fail" ]; then \
		echo "fuzz: failed:$$fail (inputs under $(FUZZ_DIR)/artifacts/)" >&2; exit 1; \
	fi
endef

fuzz: fuzz-build
	$(call fuzz_all,$(FUZZ_SECONDS))

fuzz-smoke: fuzz-build
	$(call fuzz_all,$(FUZZ_SMOKE_SECONDS))

# Source-based coverage needs no sanitizer: each target is rebuilt with profiling and replays its
# corpus once (-runs=0), then llvm-cov summarizes the files it is about. Broken invariants are
# printed to $(FUZZ_DIR)/cov/NAME.log but do not stop the replay.
$(FUZZ_DIR)/cov/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_LIB_SRCS) $(SKELS) | fuzz-toolchain
	$(call msg,LINK-COV,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CLANG) -g -O1 -fsanitize=fuzzer -fprofile-instr-generate -fcoverage-mapping \
		-DFUZZ_REPORT_ONLY $(WARN) $(INCLUDES) -Itests/fuzz $< $(FUZZ_LIB_SRCS) \
		$(FUZZ_LIBS_$*) $(FUZZ_LDLIBS) -o $@

fuzz-coverage: $(addprefix $(FUZZ_DIR)/cov/fuzz_,$(FUZZ_NAMES)) $(FUZZ_SEEDS)/.stamp
	$(Q)$(foreach t,$(FUZZ_NAMES),\
		mkdir -p $(FUZZ_DIR)/corpus/$(t) && \
		LLVM_PROFILE_FILE=$(FUZZ_DIR)/cov/$(t).profraw $(FUZZ_DIR)/cov/fuzz_$(t) -runs=0 \
			$(FUZZ_OPTS_$(t)) $(FUZZ_DIR)/corpus/$(t) tests/fuzz/corpus/$(t) \
			$(FUZZ_SEEDS)/$(t) \
			>$(FUZZ_DIR)/cov/$(t).log 2>&1 && \
		$(FUZZ_LLVM_PROFDATA) merge -sparse $(FUZZ_DIR)/cov/$(t).profraw \
			-o $(FUZZ_DIR)/cov/$(t).profdata && \
		echo "fuzz_$(t):" && \
		$(FUZZ_LLVM_COV) report $(FUZZ_DIR)/cov/fuzz_$(t) \
			-instr-profile=$(FUZZ_DIR)/cov/$(t).profdata $(FUZZ_COV_SRCS_$(t)) && ) true

# The binary seeds are built from include/idsentry.h, so they are regenerated whenever the ABI
# changes; a run reads them next to the committed ones. fuzz-seeds refreshes the committed copies
# and the shipped policies among the policy seeds.
$(FUZZ_DIR)/gen_seeds: tests/fuzz/gen_seeds.c include/idsentry.h | $(FUZZ_DIR)/obj
	$(call msg,CC,$@)
	$(Q)$(CC) -g $(WARN) -Iinclude $< -o $@

$(FUZZ_SEEDS)/.stamp: $(FUZZ_DIR)/gen_seeds
	$(call msg,GEN,$(FUZZ_SEEDS))
	$(Q)rm -rf $(FUZZ_SEEDS) && mkdir -p $(addprefix $(FUZZ_SEEDS)/,$(FUZZ_NAMES))
	$(Q)$< $(FUZZ_SEEDS) && touch $@

fuzz-seeds: $(FUZZ_SEEDS)/.stamp
	$(call msg,COPY,tests/fuzz/corpus)
	$(Q)for t in $(FUZZ_NAMES); do \
		mkdir -p tests/fuzz/corpus/$$t && \
		find $(FUZZ_SEEDS)/$$t -type f -exec cp {} tests/fuzz/corpus/$$t/ \; ; \
	done
	$(Q)for f in policies/*.yaml; do cp $$f tests/fuzz/corpus/policy/shipped-$${f##*/}; done

$(UNIT_PLAIN_DIR)/obj/%.o: user/%.c $(USER_HDRS) $(SKELS) | $(UNIT_PLAIN_DIR)/obj
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(WARN) $(INCLUDES) -c $< -o $@

$(UNIT_PLAIN_LIB): $(UNIT_PLAIN_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(UNIT_PLAIN_DIR)/%: tests/unit/%.c tests/unit/testlib.h $(UNIT_PLAIN_LIB)
	$(call msg,CC-TEST,$@)
	$(Q)$(CC) $(CFLAGS) $(WARN) -Iinclude -Iuser -Itests/unit $< $(UNIT_PLAIN_LIB) $(LDLIBS) \
		-o $@

# Each test's own summary line, then valgrind's report of any error or leak.
valgrind-unit: $(UNIT_PLAIN_BINS) | valgrind-toolchain
	$(Q)fail=; for t in $(UNIT_PLAIN_BINS); do \
		printf '  %-9s %s\n' VALGRIND $$t; \
		$(VALGRIND) $(VALGRIND_FLAGS) $$t || fail="$$fail $${t##*/}"; \
	done; \
	if [ -n "$$fail" ]; then echo "valgrind-unit: failed:$$fail" >&2; exit 1; fi
