// wait.h -- the one epoll_wait of the addon, shared by epoll.cc (the raw
// epollWait) and batch.cc (the reactor's wait-and-read turn).
#ifndef EPOLL_REACTOR_WAIT_H_
#define EPOLL_REACTOR_WAIT_H_

#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>

namespace er {

// epoll_wait into a thread-local scratch array (retrying EINTR within the
// timeout); *events points at it on success and stays valid until the next
// Wait on this thread. Returns the count or -errno; never allocates once the
// scratch is big enough.
int Wait(int epfd, size_t max_events, int timeout, const struct epoll_event** events);

// Copies n events from the scratch into `out` as [fd, events, token] each.
// `out` is only written, never read back: it may be JS memory that another
// thread changes (a SharedArrayBuffer), so decisions use the scratch copy.
void Unpack(const struct epoll_event* events, int n, uint32_t* out);

// Wait then Unpack: epollWait's whole job.
int WaitUnpack(int epfd, uint32_t* out, size_t max_events, int timeout);

}  // namespace er

#endif  // EPOLL_REACTOR_WAIT_H_
