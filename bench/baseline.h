/* The benchmark's baseline: naive lib9 sendfd/recvfd/pipe, no validation. Not p9fd. */
int base_sendfd(int s, int fd);
int base_recvfd(int s);
int base_p9pipe(int *fd);
