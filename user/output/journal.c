// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <syslog.h>
#include <systemd/sd-journal.h>

#include "leakmon.h"
#include "output/journal.h"
#include "util/text.h"

#define JOURNAL_FIELDS 8

/* Squeeze runs of blanks (the text output pads columns) into one space. */
static void text__squeeze(char *s)
{
	char *out = s;

	for (char *in = s; *in; in++)
		if (*in != ' ' || (out > s && out[-1] != ' '))
			*out++ = *in;
	*out = '\0';
}

/* "KEY=value" for the journal, or NULL. */
__attribute__((format(printf, 1, 2))) static char *field(const char *fmt, ...)
{
	char *text;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : text;
}

int journal__send(struct journal_entry *e)
{
	char *fields[JOURNAL_FIELDS] = {}, *message = e->text, *details = NULL, *nl;
	char comm[4 * LEAKMON_COMM_LEN + 1];
	struct iovec iov[JOURNAL_FIELDS];
	int n = 0, err = -1;
	size_t len;

	nl = strchr(message, '\n');
	if (nl && nl > message && nl[-1] == ':' && nl[1]) {
		*nl = ' '; /* "pid 1 comm:" and "tid 2 ... [mutex]" on one line */
		nl = strchr(nl, '\n');
	}
	if (nl) {
		*nl = '\0';
		details = nl[1] ? nl + 1 : NULL;
	}
	len = details ? strlen(details) : 0;
	while (len && details[len - 1] == '\n')
		details[--len] = '\0';
	text__squeeze(message);
	fields[n++] = field("MESSAGE=%s", message);
	fields[n++] = field("PRIORITY=%d", e->alert ? LOG_WARNING : LOG_INFO);
	fields[n++] = field("LEAKMON_EVENT=%s", e->event);
	if (e->comm) {
		text__escape(e->comm, strlen(e->comm), comm, sizeof(comm));
		fields[n++] = field("LEAKMON_PID=%u", e->pid);
		fields[n++] = field("LEAKMON_COMM=%s", comm);
	}
	if (e->tid)
		fields[n++] = field("LEAKMON_TID=%u", e->tid);
	if (e->wait)
		fields[n++] = field("LEAKMON_WAIT=%s", e->wait);
	if (len)
		fields[n++] = field("LEAKMON_DETAILS=%s", details);
	for (int i = 0; i < n; i++) {
		if (!fields[i])
			goto cleanup;
		iov[i] = (struct iovec){ fields[i], strlen(fields[i]) };
	}
	err = sd_journal_sendv(iov, n);
cleanup:
	for (int i = 0; i < n; i++)
		free(fields[i]);
	return err;
}
