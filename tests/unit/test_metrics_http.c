// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The metrics endpoint over real HTTP: 503 until the monitor's first look is published (a
 * scraper at start-up must not read "no series" as "nothing watched"), then the text; 404
 * elsewhere.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "output/metrics.h"
#include "util/log.h"
#include "unit.h"

/* GET path from 127.0.0.1:port: the response's status code, its body into body. */
static int http_get(uint16_t port, const char *path, char *body, size_t size)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(port) };
	char request[128], response[4096];
	size_t got = 0;
	ssize_t n;
	int fd, status = -1;
	const char *text;

	inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)))
		goto out;
	snprintf(request, sizeof(request), "GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n", path);
	if (write(fd, request, strlen(request)) < 0)
		goto out;
	while (got < sizeof(response) - 1 &&
	       (n = read(fd, response + got, sizeof(response) - 1 - got)) > 0)
		got += (size_t)n;
	response[got] = '\0';
	if (sscanf(response, "HTTP/1.%*d %d", &status) != 1)
		status = -1;
	text = strstr(response, "\r\n\r\n");
	snprintf(body, size, "%s", text ? text + 4 : "");
out:
	if (fd >= 0)
		close(fd);
	return status;
}

int main(void)
{
	static const char text[] = "leakmon_watched_processes 3\n";
	struct metrics_server *srv = NULL;
	uint16_t port = 0;
	char body[1024];

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
	CHECK(http_get(port, "/other", body, sizeof(body)) == 404, "another path: 404");
	metrics__stop(srv);
	return unit__finish("test_metrics_http");
}
