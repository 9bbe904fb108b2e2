/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lockprobe FILE: whether a process holds an fcntl lock on FILE, as a run
 * holds RUNDIR/run.log; prints the holder's pid and exits 0, else exits 1
 * (2 when FILE cannot be probed). For the shell tests of the folder lock:
 * it asks (F_GETLK) without taking the lock. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: lockprobe FILE\n", stderr);
        return 2;
    }
    int fd = open(argv[1], O_RDONLY);
    struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
    if (fd < 0 || fcntl(fd, F_GETLK, &fl) != 0) {
        perror(argv[1]);
        return 2;
    }
    close(fd);
    if (fl.l_type == F_UNLCK)
        return 1;
    printf("%ld\n", (long)fl.l_pid);
    return 0;
}
