// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "output/metrics.h"
#include "util/log.h"
#include "util/text.h"

static const char *const alert_names[METRICS_N_ALERTS] = {
	[METRICS_ALERT_GROWTH] = "growth",
	[METRICS_ALERT_BLOCKED] = "blocked",
	[METRICS_ALERT_DEADLOCK] = "deadlock",
	[METRICS_ALERT_STALL] = "stall",
};

/*
 * A label value: valid UTF-8 kept, backslash, quote and newline escaped as the format wants,
 * other characters that steer terminals (text__hostile_code_point) and invalid bytes replaced
 * by '?': a process's name is its own.
 */
static void label__write(FILE *out, const char *s)
{
	size_t len = strlen(s);
	uint32_t cp;

	while (len) {
		size_t n = utf8__decode((const unsigned char *)s, len, &cp);

		if (n == 1 && (*s == '\\' || *s == '"'))
			fprintf(out, "\\%c", *s);
		else if (n == 1 && *s == '\n')
			fputs("\\n", out);
		else if (!n || text__hostile_code_point(cp))
			fputc('?', out);
		else
			fwrite(s, 1, n, out);
		s += n ? n : 1;
		len -= n ? n : 1;
	}
}

static void metric__head(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One series per listed process, labelled with its pid and name. */
static void metrics__process_series(FILE *out, const struct metrics_sample *m, const char *name,
				    const char *help,
				    int64_t (*value)(const struct metrics_process *))
{
	metric__head(out, name, "gauge", help);
	for (size_t i = 0; i < m->n_processes; i++) {
		fprintf(out, "%s{pid=\"%" PRIu32 "\",comm=\"", name, m->processes[i].pid);
		label__write(out, m->processes[i].comm);
		fprintf(out, "\"} %" PRId64 "\n", value(&m->processes[i]));
	}
}

static int64_t process__threads(const struct metrics_process *p)
{
	return p->threads;
}

static int64_t process__baseline(const struct metrics_process *p)
{
	return p->baseline;
}

static int64_t process__growing(const struct metrics_process *p)
{
	return p->growing;
}

static void metrics__render_processes(FILE *out, const struct metrics_sample *m)
{
	metrics__process_series(
		out, m, "leakmon_process_threads",
		"Live threads of a watched process (the largest, and every one with an alert).",
		process__threads);
	metrics__process_series(out, m, "leakmon_process_thread_baseline",
				"Threads of the process when leakmon began watching it.",
				process__baseline);
	metrics__process_series(out, m, "leakmon_process_growing",
				"1 while a growth alert stands for the process.", process__growing);
}

void metrics__render(FILE *out, const struct metrics_sample *m)
{
	const struct {
		const char *what;
		uint64_t n;
	} drops[] = {
		{ "blocked_since", m->drops.blocked_state },
		{ "creators", m->drops.creator },
	};

	metrics__render_processes(out, m);
	metric__head(out, "leakmon_blocked_threads", "gauge",
		     "Threads of watched processes blocked past the threshold, by wait reason.");
	for (size_t i = 0; i < m->n_blocked; i++)
		fprintf(out, "leakmon_blocked_threads{wait=\"%s\"} %" PRIu64 "\n",
			m->blocked[i].reason, m->blocked[i].threads);
	metric__head(out, "leakmon_alerts_total", "counter", "Alerts raised, by kind.");
	for (int i = 0; i < METRICS_N_ALERTS; i++)
		fprintf(out, "leakmon_alerts_total{kind=\"%s\"} %" PRIu64 "\n", alert_names[i],
			m->alerts[i]);
	metric__head(out, "leakmon_dropped_total", "counter",
		     "What the kernel side could not record: blocked_since (dated by the "
		     "scheduler instead) and creators (no created_by).");
	for (size_t i = 0; i < sizeof(drops) / sizeof(*drops); i++)
		fprintf(out, "leakmon_dropped_total{what=\"%s\"} %" PRIu64 "\n", drops[i].what,
			drops[i].n);
	metric__head(out, "leakmon_watched_processes", "gauge", "Processes watched.");
	fprintf(out, "leakmon_watched_processes %" PRIu64 "\n", m->watched_processes);
	metric__head(
		out, "leakmon_hidden_processes", "gauge",
		"Processes hidden from BPF task iterators by this kernel at start: not watched.");
	fprintf(out, "leakmon_hidden_processes %" PRIu64 "\n", m->hidden_processes);
	metric__head(out, "leakmon_watched_threads", "gauge", "Threads of the watched processes.");
	fprintf(out, "leakmon_watched_threads %" PRIu64 "\n", m->watched_threads);
	metric__head(out, "leakmon_scan_duration_seconds", "gauge",
		     "How long the last look at every watched thread took.");
	fprintf(out, "leakmon_scan_duration_seconds %.6f\n", m->tick_seconds);
}

struct metrics_server {
	struct MHD_Daemon *daemon;
	pthread_mutex_t lock;
	char *text; /* the last look's rendering; NULL before the first look */
	size_t len;
};

#define METRICS_NOT_FOUND "not found: try /metrics\n"
/* Until the first look, no series at all would read as "nothing is watched". */
#define METRICS_NOT_YET "leakmon has not looked at the threads yet: try again in a second\n"

static enum MHD_Result metrics__answer(void *cls, struct MHD_Connection *conn, const char *url,
				       const char *method, const char *version,
				       const char *upload_data, size_t *upload_data_size,
				       void **con_cls)
{
	struct metrics_server *srv = cls;
	struct MHD_Response *response;
	unsigned int status = MHD_HTTP_OK;
	enum MHD_Result ret;

	(void)version, (void)upload_data, (void)upload_data_size, (void)con_cls;
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return MHD_NO;
	pthread_mutex_lock(&srv->lock);
	if (strcmp(url, "/metrics")) {
		status = MHD_HTTP_NOT_FOUND;
		response = MHD_create_response_from_buffer(
			strlen(METRICS_NOT_FOUND), METRICS_NOT_FOUND, MHD_RESPMEM_PERSISTENT);
	} else if (!srv->text) {
		status = MHD_HTTP_SERVICE_UNAVAILABLE;
		response = MHD_create_response_from_buffer(strlen(METRICS_NOT_YET), METRICS_NOT_YET,
							   MHD_RESPMEM_PERSISTENT);
	} else {
		response =
			MHD_create_response_from_buffer(srv->len, srv->text, MHD_RESPMEM_MUST_COPY);
	}
	pthread_mutex_unlock(&srv->lock);
	if (!response)
		return MHD_NO;
	MHD_add_response_header(response, "Content-Type",
				status == MHD_HTTP_OK ? "text/plain; version=0.0.4; charset=utf-8"
						      : "text/plain");
	if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
		MHD_add_response_header(response, "Retry-After", "1");
	ret = MHD_queue_response(conn, status, response);
	MHD_destroy_response(response);
	return ret;
}

/* A listening socket on host:port, or -errno after saying why. */
static int metrics__listen(const char *host, uint16_t port)
{
	struct sockaddr_storage addr = {};
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&addr;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&addr;
	const char *numeric = strcmp(host, "localhost") ? host : "127.0.0.1";
	int one = 1, fd, err;
	socklen_t len;

	if (inet_pton(AF_INET, numeric, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		len = sizeof(*a4);
	} else if (inet_pton(AF_INET6, numeric, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		len = sizeof(*a6);
	} else {
		log_err("--metrics: '%s' is not an address", host);
		return -EINVAL;
	}
	fd = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&addr, len) || listen(fd, 16))
		goto fail;
	return fd;
fail:
	err = -errno;
	log_err("--metrics: cannot listen on %s%s%s:%u: %s", addr.ss_family == AF_INET6 ? "[" : "",
		host, addr.ss_family == AF_INET6 ? "]" : "", port, strerror(-err));
	if (fd >= 0)
		close(fd);
	return err;
}

int metrics__start(const char *host, uint16_t port, struct metrics_server **out)
{
	struct metrics_server *srv = calloc(1, sizeof(*srv));
	int fd;

	if (!srv)
		return -ENOMEM;
	pthread_mutex_init(&srv->lock, NULL);
	fd = metrics__listen(host, port);
	if (fd < 0) {
		metrics__stop(srv);
		return fd;
	}
	srv->daemon =
		MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, metrics__answer,
				 srv, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT, 16,
				 MHD_OPTION_CONNECTION_TIMEOUT, 10, MHD_OPTION_END);
	if (!srv->daemon) {
		log_err("--metrics: the HTTP server did not start");
		close(fd);
		metrics__stop(srv);
		return -EIO;
	}
	*out = srv;
	return 0;
}

int metrics__publish(struct metrics_server *srv, const char *text, size_t len)
{
	char *copy = malloc(len + 1);

	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, len);
	copy[len] = '\0';
	pthread_mutex_lock(&srv->lock);
	free(srv->text);
	srv->text = copy;
	srv->len = len;
	pthread_mutex_unlock(&srv->lock);
	return 0;
}

void metrics__stop(struct metrics_server *srv)
{
	if (!srv)
		return;
	if (srv->daemon)
		MHD_stop_daemon(srv->daemon);
	pthread_mutex_destroy(&srv->lock);
	free(srv->text);
	free(srv);
}
