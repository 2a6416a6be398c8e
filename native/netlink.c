/* Questions to the kernel's routing netlink in the caller's network namespace, so stage0
 * needs no iproute2: which interface the route to an IPv4 address leaves by, and what kind
 * of link (veth, bridge, ...) an interface is. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rkt_native.h"

#define ANSWER_MAX 16384

struct request {
	struct nlmsghdr header;
	union {
		struct rtmsg route;
		struct ifinfomsg link;
	} body;
	char attributes[64];
};

static void add_attribute(struct request *req, unsigned short type, const void *data, size_t len)
{
	struct rtattr *attr = (struct rtattr *)((char *)req + NLMSG_ALIGN(req->header.nlmsg_len));
	attr->rta_type = type;
	attr->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(attr), data, len);
	req->header.nlmsg_len = NLMSG_ALIGN(req->header.nlmsg_len) + RTA_ALIGN(attr->rta_len);
}

/* Sends one request and reads its one answer into `answer`; returns the answer's length. */
static int ask(struct request *req, char *answer, const char *what, struct rkt_error *err)
{
	int sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (sock < 0)
		return rkt_fail_sys(err, "open netlink socket to look up", what, errno);
	req->header.nlmsg_flags |= NLM_F_REQUEST;
	req->header.nlmsg_seq = 1;
	int len = -1;
	if (send(sock, req, req->header.nlmsg_len, 0) < 0) {
		rkt_fail_sys(err, "netlink request for", what, errno);
	} else {
		len = (int)recv(sock, answer, ANSWER_MAX, 0);
		if (len < 0)
			rkt_fail_sys(err, "netlink answer for", what, errno);
	}
	close(sock);
	if (len < 0)
		return -1;
	struct nlmsghdr *header = (struct nlmsghdr *)answer;
	if (!NLMSG_OK(header, (unsigned)len))
		return rkt_fail(err, "netlink answer for", what, "truncated message");
	if (header->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr *e = NLMSG_DATA(header);
		return rkt_fail_sys(err, "look up", what, e->error < 0 ? -e->error : EPROTO);
	}
	return len;
}

int rkt_route_device(const char *ipv4, char ifname_out[16], struct rkt_error *err)
{
	struct in_addr dst;
	if (inet_pton(AF_INET, ipv4, &dst) != 1)
		return rkt_fail(err, "route to", ipv4, "not an IPv4 address");
	struct request req;
	memset(&req, 0, sizeof req);
	req.header.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	req.header.nlmsg_type = RTM_GETROUTE;
	req.body.route.rtm_family = AF_INET;
	req.body.route.rtm_dst_len = 32;
	add_attribute(&req, RTA_DST, &dst, sizeof dst);
	char answer[ANSWER_MAX];
	int len = ask(&req, answer, ipv4, err);
	if (len < 0)
		return -1;
	struct nlmsghdr *header = (struct nlmsghdr *)answer;
	struct rtmsg *route = NLMSG_DATA(header);
	int attr_len = (int)RTM_PAYLOAD(header);
	for (struct rtattr *attr = RTM_RTA(route); RTA_OK(attr, attr_len); attr = RTA_NEXT(attr, attr_len)) {
		if (attr->rta_type != RTA_OIF)
			continue;
		unsigned index = *(unsigned *)RTA_DATA(attr);
		if (!if_indextoname(index, ifname_out))
			return rkt_fail_sys(err, "name of the interface towards", ipv4, errno);
		return 0;
	}
	return rkt_fail(err, "route to", ipv4, "no output interface");
}

int rkt_link_kind(const char *ifname, char kind_out[32], struct rkt_error *err)
{
	struct request req;
	memset(&req, 0, sizeof req);
	req.header.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	req.header.nlmsg_type = RTM_GETLINK;
	req.body.link.ifi_family = AF_UNSPEC;
	if (strlen(ifname) >= IFNAMSIZ)
		return rkt_fail(err, "look up link", ifname, "name too long");
	add_attribute(&req, IFLA_IFNAME, ifname, strlen(ifname) + 1);
	char answer[ANSWER_MAX];
	int len = ask(&req, answer, ifname, err);
	if (len < 0)
		return -1;
	kind_out[0] = '\0';
	struct nlmsghdr *header = (struct nlmsghdr *)answer;
	struct ifinfomsg *link = NLMSG_DATA(header);
	int attr_len = (int)IFLA_PAYLOAD(header);
	for (struct rtattr *attr = IFLA_RTA(link); RTA_OK(attr, attr_len); attr = RTA_NEXT(attr, attr_len)) {
		if (attr->rta_type != IFLA_LINKINFO)
			continue;
		int info_len = (int)RTA_PAYLOAD(attr);
		for (struct rtattr *info = RTA_DATA(attr); RTA_OK(info, info_len); info = RTA_NEXT(info, info_len)) {
			if (info->rta_type == IFLA_INFO_KIND) {
				snprintf(kind_out, 32, "%.*s", (int)RTA_PAYLOAD(info), (const char *)RTA_DATA(info));
				return 0;
			}
		}
	}
	return 0;
}
