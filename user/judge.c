// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* judge: the one rule loop: each rule that covers a sighting's identifiers decides on an alert. */
#include <stdio.h>
#include <string.h>
#include "idsentry.h"
#include "android.h"
#include "destination.h"
#include "judge.h"
#include "policy.h"

static int excepted(struct detector *d, const struct rule_def *r, const struct proc *p)
{
	struct proc_identity id;

	proc_identity_of(p, android_package_of, d->sink.packages, &id);
	return rule_excepts_process(r, &id);
}

/* Adds an identifier to an alert: the value seen (or, without one, the value the process got,
 * else any known one), named by how this process got it when the agent saw that. */
static void add_identifier(struct detector *d, struct alert_desc *a, unsigned int bit,
			   const struct known_value *seen)
{
	const struct proc_obtained *o = proc_obtained_of(a->proc, bit);
	const struct known_value *own = o ? values_at(d->values, o->value, o->epoch, bit) : NULL;
	struct alert_ident *id = &a->idents[a->n_idents++];

	id->bit = bit;
	id->value = seen ? seen : own ? own : values_any_of(d->values, bit);
	id->source = id->path = NULL;
	/* its own source, unless what was seen is another value than the one it got */
	if (o && (!seen || !own || own == seen)) {
		id->source = o->source;
		id->path = o->path;
	}
}

/* Fills the identifiers of an alert: those seen in the data, else every one the rule covers. */
static void name_identifiers(struct detector *d, struct alert_desc *a, uint64_t mask,
			     const struct value_hit *hits, int n_hits)
{
	int k, bit;

	for (k = 0; k < n_hits && a->n_idents < ALERT_MAX_IDENTS; k++) {
		if (!(mask & (1ULL << hits[k].value->bit)))
			continue;
		if (!a->confirmed || hits[k].offset < a->offset) {
			a->enc = hits[k].enc;
			a->offset = hits[k].offset;
		}
		a->confirmed = 1;
		add_identifier(d, a, hits[k].value->bit, hits[k].value);
	}
	for (bit = 0; !a->confirmed && bit < 64 && a->n_idents < ALERT_MAX_IDENTS; bit++) {
		if (!(mask & (1ULL << bit)))
			continue;
		add_identifier(d, a, bit, NULL);
	}
}

static void count_alert(struct detector *d, size_t rule, const struct alert_desc *a)
{
	if (a->confirmed)
		d->confirmed++;
	else
		d->suspected++;
	if (rule >= MAX_RULE_COUNTERS)
		return;
	if (a->action == OUTCOME_KILLED)
		d->rules[rule].killed++;
	else if (a->action == OUTCOME_BLOCKED)
		d->rules[rule].blocked++;
	else
		d->rules[rule].alerts++;
	d->rules[rule].by[!!a->confirmed][a->action]++;
}

/* What a reader must know of where a confirmed value was found (evidence.note). */
static const char *confirmed_note(const struct sighting *s, struct alert_desc *a)
{
	const char *note = a->note;

	if (a->offset < 0) {
		note = "the value began in an earlier send on this socket";
		a->offset = 0;
	}
	if (s->quiet_note)
		note = s->quiet_note;
	if (a->enc == ENC_HPACK)
		note = "found in an HTTP/2 header block, decoded (HPACK); offset counts in the "
		       "decoded header lines";
	if (a->enc == ENC_GZIP || a->enc == ENC_ZLIB || a->enc == ENC_DEFLATE)
		note = "found in the inflated content of a compressed stream; offset counts in "
		       "that content";
	return note;
}

/* Whether a rule leaves this sighting alone: its process or destination is excepted. */
static int rule_excepts(struct detector *d, const struct rule_def *r, const struct sighting *s)
{
	const struct destination *dst = s->dst;

	if (excepted(d, r, s->proc))
		return 1;
	return s->dest_filtered && (dest_filter_has_addr(&r->dest_except, dst->family, dst->addr) ||
				    dest_filter_has_port(&r->dest_except, dst->port));
}

void judge(struct detector *d, const struct sighting *s)
{
	const struct policy *pol = d->sink.policy;
	struct proc *p = s->proc;
	size_t i;
	int k;

	for (i = 0; i < pol->n_rules; i++) {
		const struct rule_def *r = &pol->rules[i];
		uint64_t mask = r->ident_mask & s->taint_mask;
		struct alert_desc a = s->desc;
		int seen = 0;

		/* a verdict of the kernel is reported by the rule that gave it, whatever else */
		if (s->verdict_rule >= 0 && (size_t)s->verdict_rule != i)
			continue;
		if (s->verdict_rule < 0 && (!mask || rule_excepts(d, r, s)))
			continue;
		for (k = 0; k < s->n_hits; k++)
			if (mask & (1ULL << s->hits[k].value->bit))
				seen = 1;
		if (!seen && s->outcome == OUTCOME_ALERT) {
			struct suspect_key key = s->suspect;

			/* a value seen is reported however late; a suspicion only within the window */
			if (r->window_ns && s->ts_ns - s->taint_ns > r->window_ns)
				continue;
			/* contact with a holder that passed nothing on is no ground for suspicion, nor
			 * is a protocol message that carries identifiers only where it should, nor
			 * what was searched whole (a DNS name) or carries no payload (a handshake) */
			mask &= ~p->noise_mask & ~s->forgiven;
			if (!mask || s->no_suspicion)
				continue;
			key.rule = i;
			if (proc_note_suspect(p, &key))
				continue;
		}
		a.rule = r;
		a.action = s->outcome;
		a.proc = p;
		a.dst = s->dst;
		/* lineage names how the taint came, when it came from another process */
		a.lineage = p->lineage;
		a.confirmed = 0;
		name_identifiers(d, &a, mask, s->hits, s->n_hits);
		if (a.confirmed)
			a.note = confirmed_note(s, &a);
		alert_write(&d->sink, &a);
		count_alert(d, i, &a);
	}
}
