// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The metrics endpoint over real HTTP on loopback: 503 until the monitor's first look is
 * published (a scraper at start-up must not read "no series" as "nothing watched"), then the
 * text; HEAD, 404, 405 with Allow, 400 for junk at once; and scrapes answered while other
 * clients hold every connection they can, silent or sending a byte at a time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "output/metrics.h"
#include "util/log.h"
#include "util/text.h"
#include "unit.h"

static int http_connect(uint16_t port)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Read until the server closes, at most timeout_ms: the bytes read, or -1 on a timeout. */
static ssize_t http_read_all(int fd, char *buf, size_t size, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t n;

	for (;;) {
		if (poll(&pfd, 1, timeout_ms) <= 0)
			return -1;
		n = read(fd, buf + got, size - 1 - got);
		if (n <= 0 || (got += (size_t)n) == size - 1)
			break;
	}
	buf[got] = '\0';
	return (ssize_t)got;
}

/* Send request (len bytes) to 127.0.0.1:port: the status, the whole response into response. */
static int http_request(uint16_t port, const char *request, size_t len, char *response, size_t size,
			int timeout_ms)
{
	int fd = http_connect(port), status = -1;

	response[0] = '\0';
	if (fd < 0)
		return -1;
	if (write(fd, request, len) == (ssize_t)len &&
	    http_read_all(fd, response, size, timeout_ms) >= 0 &&
	    sscanf(response, "HTTP/1.%*d %d", &status) != 1)
		status = -1;
	close(fd);
	return status;
}

static int http_get(uint16_t port, const char *path, char *body, size_t size)
{
	char request[128], response[4096];
	const char *text;
	int status;

	snprintf(request, sizeof(request), "GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n", path);
	status = http_request(port, request, strlen(request), response, sizeof(response), 5000);
	text = strstr(response, "\r\n\r\n");
	snprintf(body, size, "%s", text ? text + 4 : "");
	return status;
}

/*
 * Another local client, for seconds: holds as many connections as it can, each sending one byte
 * of a request every 300 ms (dribble) or nothing (silent), opening a new one for each the
 * server closes.
 */
static pid_t hog_start(uint16_t port, bool dribble, int seconds)
{
	static const char request[] = "GET /metrics HTTP/1.1\r\nHost: x\r\n";
	int fds[200], sent[200];
	pid_t pid = fork();
	time_t end;

	if (pid)
		return pid;
	end = time(NULL) + seconds;
	for (int i = 0; i < 200; i++)
		fds[i] = http_connect(port), sent[i] = 0;
	while (time(NULL) < end) {
		for (int i = 0; i < 200; i++) {
			char c;

			if (fds[i] >= 0 && recv(fds[i], &c, 1, MSG_DONTWAIT) == 0) {
				close(fds[i]);
				fds[i] = -1;
			}
			if (fds[i] < 0)
				fds[i] = http_connect(port), sent[i] = 0;
			if (dribble && fds[i] >= 0 && sent[i] < (int)sizeof(request) - 1 &&
			    send(fds[i], request + sent[i], 1, MSG_NOSIGNAL) == 1)
				sent[i]++;
		}
		usleep(300000);
	}
	_exit(0);
}

/* Scrapes while a hog holds the server: how many of n were answered 200 with the text. */
static int scrapes_answered(uint16_t port, bool dribble, int n, const char *text)
{
	pid_t hog = hog_start(port, dribble, 6);
	char body[1024];
	int answered = 0;

	usleep(1000000); /* the hog has its connections, and has kept some a while */
	for (int i = 0; i < n; i++) {
		answered += http_get(port, "/metrics", body, sizeof(body)) == 200 &&
			    !strcmp(body, text);
		usleep(100000);
	}
	kill(hog, SIGKILL);
	waitpid(hog, NULL, 0);
	return answered;
}

int main(void)
{
	static const char text[] = "leakmon_watched_processes 3\n";
	static const char junk[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03";
	struct metrics_server *srv = NULL;
	char body[1024], response[4096];
	uint16_t port = 0;
	int fd;

	log__setup(LOG_LEVEL_ERR, false);
	/* A free port of a range few use: another test may hold one. */
	for (uint16_t p = 39160; p < 39260 && !srv; p++)
		if (!metrics__start("127.0.0.1", p, &srv))
			port = p;
	CHECK(srv, "no port to listen on");
	if (!srv)
		return unit__finish("test_metrics_http");
	CHECK(http_get(port, "/metrics", body, sizeof(body)) == 503,
	      "before the first look: 503, not an empty 200");
	CHECK(strstr(body, "not looked") != NULL, "and says why: %s", body);
	CHECK(metrics__publish(srv, text, strlen(text)) == 0, "published");
	CHECK(http_get(port, "/metrics", body, sizeof(body)) == 200, "after it: 200");
	CHECK_STR(body, text);
	CHECK(http_get(port, "/metrics?debug=1", body, sizeof(body)) == 200, "a query is no path");
	CHECK(http_get(port, "/other", body, sizeof(body)) == 404, "another path: 404");

	CHECK(http_request(port, "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 35, response,
			   sizeof(response), 5000) == 200,
	      "HEAD: 200");
	CHECK(strstr(response, "Content-Length: 28\r\n") && text__ends_with(response, "\r\n\r\n"),
	      "HEAD: the page's length, no body: %s", response);
	CHECK(http_request(port, "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 45,
			   response, sizeof(response), 5000) == 405,
	      "POST: 405");
	CHECK(strstr(response, "\r\nAllow: GET, HEAD\r\n") != NULL, "405 says Allow: %s", response);
	/* The request deadline is 2 s: junk must not wait for it. */
	CHECK(http_request(port, junk, sizeof(junk) - 1, response, sizeof(response), 1000) == 400,
	      "binary junk (a TLS hello): 400 at once");
	fd = http_connect(port);
	CHECK(fd >= 0 && write(fd, "GET /metr", 9) == 9 &&
		      http_read_all(fd, response, sizeof(response), 5000) == 0,
	      "a request never finished: the server closes it");
	if (fd >= 0)
		close(fd);

	CHECK(scrapes_answered(port, true, 20, text) == 20,
	      "20 of 20 scrapes answered while another client dribbles a byte at a time on 200 "
	      "connections");
	CHECK(scrapes_answered(port, false, 20, text) == 20,
	      "20 of 20 scrapes answered while another client holds 200 silent connections");
	metrics__stop(srv);
	return unit__finish("test_metrics_http");
}
