/* The benchmark's baseline: naive lib9 sendfd/recvfd/pipe, no validation. Not p9fd. */
int base_sendfd(int s, int fd);
int base_recvfd(int s);
int base_p9pipe(int *fd);
int base_sendfds(int s, const int *fds, int n);
int base_recvfds(int s, int *fds);
