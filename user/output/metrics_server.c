// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The metrics endpoint: a small HTTP/1.x server on a thread of its own, made for a loopback port
 * that any local user may connect to. Every answer is a buffer ready before the client asks; a
 * client has a short time to send its request and another to take the answer; bytes that are
 * not a request line end the connection at once; and a new connection that finds its address,
 * or the server, at its budget takes the place of the oldest one still sending its request.
 * So slow or silent clients cannot keep a scraper out.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "output/metrics.h"
#include "util/log.h"

#define SERVER_MAX_CONNECTIONS 64
#define SERVER_MAX_PER_ADDRESS 16 /* loopback is one address: a fourth of the slots */
#define SERVER_REQUEST_MS 2000	  /* from accept to the request's last header */
#define SERVER_ANSWER_MS 10000	  /* from accept to the answer's last byte */
#define SERVER_REQUEST_MAX 2048

/* The answers that are not the page: made once, at start. */
enum server_answer {
	ANSWER_NOT_YET,
	ANSWER_NOT_FOUND,
	ANSWER_NOT_ALLOWED,
	ANSWER_BAD,
	ANSWER_TOO_LARGE,
	ANSWER_GONE, /* the client left: nothing to send */
	N_ANSWERS,
};

static const struct {
	const char *status, *headers, *body;
} fixed_answers[N_ANSWERS] = {
	/* Until the first look, no series at all would read as "nothing is watched". */
	[ANSWER_NOT_YET] = { "503 Service Unavailable", "Retry-After: 1\r\n",
			     "leakmon has not looked at the threads yet: try again in a second\n" },
	[ANSWER_NOT_FOUND] = { "404 Not Found", "", "not found: try /metrics\n" },
	[ANSWER_NOT_ALLOWED] = { "405 Method Not Allowed", "Allow: GET, HEAD\r\n",
				 "only GET and HEAD are served\n" },
	[ANSWER_BAD] = { "400 Bad Request", "", "not an HTTP/1.x request\n" },
	[ANSWER_TOO_LARGE] = { "431 Request Header Fields Too Large", "",
			       "the request is too large\n" },
};

/* A whole HTTP response; shared by the connections sending it, freed by the last. */
struct metrics_page {
	unsigned int refs;
	size_t len, head_len; /* HEAD sends the first head_len bytes */
	char data[];
};

struct metrics_connection {
	int fd;
	struct in6_addr peer; /* IPv4 as v4-mapped */
	uint64_t accepted_ms;
	size_t got;
	char request[SERVER_REQUEST_MAX];
	const char *out; /* the answer, once the request is read; NULL before */
	size_t out_len, sent;
	struct metrics_page *page; /* what out points into, or NULL for a fixed answer */
};

struct metrics_server {
	int listen_fd, wake[2];
	pthread_t thread;
	bool started;
	pthread_mutex_t lock; /* page, and every page's refs */
	struct metrics_page *page;
	volatile bool stop;
	struct metrics_connection *conns[SERVER_MAX_CONNECTIONS];
	size_t n_conns;
	char answers[N_ANSWERS][320];
};

static uint64_t server__now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void page__put(struct metrics_server *srv, struct metrics_page *page)
{
	bool last;

	if (!page)
		return;
	pthread_mutex_lock(&srv->lock);
	last = !--page->refs;
	pthread_mutex_unlock(&srv->lock);
	if (last)
		free(page);
}

static void connection__close(struct metrics_server *srv, size_t i)
{
	struct metrics_connection *c = srv->conns[i];

	close(c->fd);
	page__put(srv, c->page);
	free(c);
	srv->conns[i] = srv->conns[--srv->n_conns];
}

static uint64_t connection__deadline(const struct metrics_connection *c)
{
	return c->accepted_ms + (c->out ? SERVER_ANSWER_MS : SERVER_REQUEST_MS);
}

static void connection__set(struct metrics_server *srv, struct metrics_connection *c,
			    enum server_answer answer)
{
	c->out = srv->answers[answer];
	c->out_len = strlen(c->out);
}

/* The answer to a whole request: the page for GET /metrics, HEAD without its body. */
static void connection__answer(struct metrics_server *srv, struct metrics_connection *c)
{
	size_t method_len = strcspn(c->request, " ");
	const char *target = c->request + method_len + 1;
	size_t target_len = strcspn(target, " ?\r\n");
	bool head = method_len == 4 && !memcmp(c->request, "HEAD", 4);

	if (c->request[method_len] != ' ')
		return connection__set(srv, c, ANSWER_BAD);
	if (!head && !(method_len == 3 && !memcmp(c->request, "GET", 3)))
		return connection__set(srv, c, ANSWER_NOT_ALLOWED);
	if (target_len != strlen("/metrics") || memcmp(target, "/metrics", target_len))
		return connection__set(srv, c, ANSWER_NOT_FOUND);
	pthread_mutex_lock(&srv->lock);
	c->page = srv->page;
	if (c->page)
		c->page->refs++;
	pthread_mutex_unlock(&srv->lock);
	if (!c->page)
		return connection__set(srv, c, ANSWER_NOT_YET);
	c->out = c->page->data;
	c->out_len = head ? c->page->head_len : c->page->len;
}

/* Whether the request line so far can be one: printable ASCII, a method's capital first. */
static bool request__plausible(const char *request, size_t len)
{
	size_t line_end = strcspn(request, "\r\n");

	if (memchr(request, '\0', len))
		return false;
	for (size_t i = 0; i < line_end; i++) {
		unsigned char b = (unsigned char)request[i];

		if (b < 0x20 || b > 0x7e || (i == 0 && (b < 'A' || b > 'Z')))
			return false;
	}
	return true;
}

/* Read what the client sent; junk is answered 400 at its first byte, not after the timeout. */
static void connection__read(struct metrics_server *srv, struct metrics_connection *c)
{
	ssize_t n = recv(c->fd, c->request + c->got, sizeof(c->request) - 1 - c->got, 0);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0)
		return connection__set(srv, c, ANSWER_GONE);
	c->got += (size_t)n;
	c->request[c->got] = '\0';
	if (!request__plausible(c->request, c->got))
		connection__set(srv, c, ANSWER_BAD);
	else if (strstr(c->request, "\r\n\r\n") || strstr(c->request, "\n\n"))
		connection__answer(srv, c);
	else if (c->got == sizeof(c->request) - 1)
		connection__set(srv, c, ANSWER_TOO_LARGE);
}

/* Send what is left of the answer: true once all of it went, or the client is gone. */
static bool connection__write(struct metrics_connection *c)
{
	ssize_t n;

	while (c->sent < c->out_len) {
		n = send(c->fd, c->out + c->sent, c->out_len - c->sent,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0)
			return errno != EAGAIN && errno != EINTR;
		c->sent += (size_t)n;
	}
	shutdown(c->fd, SHUT_WR);
	return true;
}

/*
 * Make room for a connection from peer: at the address's budget, or the server's, the oldest
 * connection still sending its request (of that address, or of any) goes. False: no room.
 */
static bool server__make_room(struct metrics_server *srv, const struct in6_addr *peer)
{
	size_t same = 0, victim = SIZE_MAX;
	bool address_full;

	for (size_t i = 0; i < srv->n_conns; i++)
		same += !memcmp(&srv->conns[i]->peer, peer, sizeof(*peer));
	address_full = same >= SERVER_MAX_PER_ADDRESS;
	if (!address_full && srv->n_conns < SERVER_MAX_CONNECTIONS)
		return true;
	for (size_t i = 0; i < srv->n_conns; i++) {
		const struct metrics_connection *c = srv->conns[i];

		if (c->out || (address_full && memcmp(&c->peer, peer, sizeof(*peer))))
			continue;
		if (victim == SIZE_MAX || c->accepted_ms < srv->conns[victim]->accepted_ms)
			victim = i;
	}
	if (victim == SIZE_MAX)
		return false;
	connection__close(srv, victim);
	return true;
}

static void server__accept(struct metrics_server *srv)
{
	struct sockaddr_storage addr;
	struct metrics_connection *c;
	struct in6_addr peer;
	socklen_t len;
	int fd;

	for (;;) {
		len = sizeof(addr);
		fd = accept4(srv->listen_fd, (struct sockaddr *)&addr, &len,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		memset(&peer, 0, sizeof(peer));
		if (addr.ss_family == AF_INET6) {
			peer = ((struct sockaddr_in6 *)&addr)->sin6_addr;
		} else {
			peer.s6_addr[10] = peer.s6_addr[11] = 0xff;
			memcpy(&peer.s6_addr[12], &((struct sockaddr_in *)&addr)->sin_addr, 4);
		}
		c = server__make_room(srv, &peer) ? calloc(1, sizeof(*c)) : NULL;
		if (!c) {
			close(fd);
			continue;
		}
		c->fd = fd;
		c->peer = peer;
		c->accepted_ms = server__now_ms();
		srv->conns[srv->n_conns++] = c;
	}
}

static void *server__run(void *arg)
{
	struct pollfd fds[2 + SERVER_MAX_CONNECTIONS];
	struct metrics_server *srv = arg;
	uint64_t now, next;
	char drain[64];
	size_t n;

	while (!srv->stop) {
		now = server__now_ms();
		next = UINT64_MAX;
		fds[0] = (struct pollfd){ .fd = srv->wake[0], .events = POLLIN };
		fds[1] = (struct pollfd){ .fd = srv->listen_fd, .events = POLLIN };
		for (size_t i = 0; i < srv->n_conns; i++) {
			const struct metrics_connection *c = srv->conns[i];

			fds[2 + i] =
				(struct pollfd){ .fd = c->fd, .events = c->out ? POLLOUT : POLLIN };
			if (connection__deadline(c) < next)
				next = connection__deadline(c);
		}
		n = srv->n_conns;
		if (poll(fds, 2 + n,
			 next == UINT64_MAX ? -1
			 : next > now	    ? (int)(next - now)
					    : 0) < 0 &&
		    errno != EINTR)
			break;
		if (fds[0].revents)
			while (read(srv->wake[0], drain, sizeof(drain)) > 0)
				;
		/* Last first: closing moves the last connection into the freed place. */
		now = server__now_ms();
		for (size_t i = n; i-- > 0;) {
			struct metrics_connection *c = srv->conns[i];
			short ev = fds[2 + i].revents;

			if (!c->out && (ev & (POLLIN | POLLHUP | POLLERR)))
				connection__read(srv, c);
			if ((c->out && connection__write(c)) || now >= connection__deadline(c))
				connection__close(srv, i);
		}
		if (fds[1].revents & POLLIN)
			server__accept(srv);
	}
	while (srv->n_conns)
		connection__close(srv, srv->n_conns - 1);
	return NULL;
}

/* A listening socket on host:port, or -errno after saying why. */
static int server__listen(const char *host, uint16_t port)
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
	fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&addr, len) || listen(fd, SERVER_MAX_CONNECTIONS))
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
	sigset_t all, old;
	int err;

	if (!srv)
		return -ENOMEM;
	srv->listen_fd = srv->wake[0] = srv->wake[1] = -1;
	for (int i = 0; i < ANSWER_GONE; i++)
		snprintf(srv->answers[i], sizeof(srv->answers[i]),
			 "HTTP/1.1 %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n%s"
			 "Connection: close\r\n\r\n%s",
			 fixed_answers[i].status, strlen(fixed_answers[i].body),
			 fixed_answers[i].headers, fixed_answers[i].body);
	pthread_mutex_init(&srv->lock, NULL);
	srv->listen_fd = server__listen(host, port);
	if (srv->listen_fd < 0) {
		err = srv->listen_fd;
		goto fail;
	}
	if (pipe2(srv->wake, O_NONBLOCK | O_CLOEXEC)) {
		err = -errno;
		log_err("--metrics: cannot make a pipe: %s", strerror(-err));
		goto fail;
	}
	/* Signals are the main loop's: the server's thread never takes one. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = -pthread_create(&srv->thread, NULL, server__run, srv);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		log_err("--metrics: the HTTP server did not start: %s", strerror(-err));
		goto fail;
	}
	srv->started = true;
	*out = srv;
	return 0;
fail:
	metrics__stop(srv);
	return err;
}

int metrics__publish(struct metrics_server *srv, const char *text, size_t len)
{
	static const char head[] = "HTTP/1.1 200 OK\r\n"
				   "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
				   "Content-Length: %zu\r\nConnection: close\r\n\r\n";
	struct metrics_page *page, *old;
	int head_len = snprintf(NULL, 0, head, len);

	page = malloc(sizeof(*page) + (size_t)head_len + len + 1);
	if (!page)
		return -ENOMEM;
	page->refs = 1;
	page->head_len = (size_t)head_len;
	page->len = (size_t)head_len + len;
	snprintf(page->data, (size_t)head_len + 1, head, len);
	memcpy(page->data + head_len, text, len);
	page->data[page->len] = '\0';
	pthread_mutex_lock(&srv->lock);
	old = srv->page;
	srv->page = page;
	pthread_mutex_unlock(&srv->lock);
	page__put(srv, old);
	return 0;
}

void metrics__stop(struct metrics_server *srv)
{
	if (!srv)
		return;
	if (srv->started) {
		srv->stop = true;
		if (write(srv->wake[1], "", 1) < 0)
			log_warn("--metrics: could not wake the HTTP server to stop it");
		pthread_join(srv->thread, NULL);
	}
	for (int i = 0; i < 2; i++)
		if (srv->wake[i] >= 0)
			close(srv->wake[i]);
	if (srv->listen_fd >= 0)
		close(srv->listen_fd);
	page__put(srv, srv->page);
	pthread_mutex_destroy(&srv->lock);
	free(srv);
}
