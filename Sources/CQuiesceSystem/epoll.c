#include "CQuiesceSystem.h"

#include <errno.h>
#include <sys/epoll.h>

int quiesce_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int quiesce_epoll_add(int epfd, int fd, unsigned long long token) {
    struct epoll_event event = {.events = EPOLLIN | EPOLLET, .data.u64 = token};
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event);
}

int quiesce_epoll_wait(int epfd, unsigned long long *tokens, int capacity, int timeout_ms) {
    struct epoll_event events[256];
    if (capacity > 256) capacity = 256;
    int count;
    do {
        count = epoll_wait(epfd, events, capacity, timeout_ms);
    } while (count < 0 && errno == EINTR);
    for (int index = 0; index < count; index++) tokens[index] = events[index].data.u64;
    return count;
}
