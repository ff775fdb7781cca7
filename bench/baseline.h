/* The benchmark's baseline: naive lib9 sendfd/recvfd, no validation. Not p9fd. */
int base_sendfd(int s, int fd);
int base_recvfd(int s);
