/*
 * /init of the Linux block benchmark (bench/block/linux.ts): loads the virtio
 * modules from /modules (in name order: the names carry the load order), waits
 * for /dev/vda, then times four workloads of one 4 KiB request at a time with
 * O_DIRECT|O_SYNC (so each request reaches the virtio-blk device), prints
 *   linux-block <workload> requests <n> ns <ns> halted-ns <ns>
 * per workload and "linux-block done", and powers off.
 * The request count is argv[1] (kernel command-line words after "--").
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define BLOCK 4096

static void die(const char *what) {
  printf("linux-block error %s: %s\n", what, strerror(errno));
  fflush(stdout);
  sync();
  reboot(RB_POWER_OFF);
  for (;;) pause();
}

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/*
 * Time cpu0 has spent halted (idle or waiting for I/O) since boot, from
 * /proc/timer_list in ns. Under QEMU -icount, halted time follows the host's
 * clock while running time counts instructions, so the two are reported apart.
 */
static uint64_t halted_ns(void) {
  static char text[1 << 16];
  int fd = open("/proc/timer_list", O_RDONLY);
  if (fd < 0) return 0;
  size_t len = 0;
  for (ssize_t n; len < sizeof text - 1 && (n = read(fd, text + len, sizeof text - 1 - len)) > 0;) len += (size_t)n;
  close(fd);
  text[len] = 0;
  uint64_t total = 0;
  const char *keys[] = {".idle_sleeptime", ".iowait_sleeptime"};
  for (int k = 0; k < 2; k++) {
    const char *p = strstr(text, keys[k]);
    if (p && (p = strchr(p, ':'))) total += strtoull(p + 1, NULL, 10);
  }
  return total;
}

static int by_name(const struct dirent **a, const struct dirent **b) { return strcmp((*a)->d_name, (*b)->d_name); }

static void load_modules(void) {
  struct dirent **list;
  int n = scandir("/modules", &list, NULL, by_name);
  if (n < 0) return; /* none needed: all built in */
  for (int i = 0; i < n; i++) {
    if (list[i]->d_name[0] == '.') continue;
    char file[512];
    snprintf(file, sizeof file, "/modules/%s", list[i]->d_name);
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) die(file);
    if (syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST) die(file);
    close(fd);
  }
}

static uint64_t lcg_state;
/* A fixed-seed LCG (Knuth's MMIX constants) so every run visits the same blocks. */
static uint64_t next_block(uint64_t blocks) {
  lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
  return (lcg_state >> 33) % blocks;
}

static void run(int fd, const char *name, int write, int random, long n, uint64_t blocks, unsigned char *buf) {
  lcg_state = 0x2545F4914F6CDD1Dull;
  for (long i = 0; i < BLOCK; i++) buf[i] = (unsigned char)(i * 7 + write);
  uint64_t h0 = halted_ns();
  uint64_t t0 = now_ns();
  for (long i = 0; i < n; i++) {
    uint64_t b = random ? next_block(blocks) : (uint64_t)i % blocks;
    off_t off = (off_t)(b * BLOCK);
    ssize_t r = write ? pwrite(fd, buf, BLOCK, off) : pread(fd, buf, BLOCK, off);
    if (r != BLOCK) die(name);
  }
  uint64_t t1 = now_ns();
  uint64_t h1 = halted_ns();
  printf("linux-block %s requests %ld ns %llu halted-ns %llu\n", name, n, (unsigned long long)(t1 - t0), (unsigned long long)(h1 - h0));
  fflush(stdout);
}

int main(int argc, char **argv) {
  mkdir("/proc", 0555);
  mkdir("/sys", 0555);
  mkdir("/dev", 0755);
  if (mount("proc", "/proc", "proc", 0, NULL) != 0) die("mount /proc");
  if (mount("sysfs", "/sys", "sysfs", 0, NULL) != 0) die("mount /sys");
  if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) != 0 && errno != EBUSY) die("mount /dev");
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 2000;
  if (n <= 0) n = 2000;
  load_modules();

  /* The disk appears once virtio_blk has probed it; 60 s of guest time is ample. */
  struct stat st;
  for (int i = 0; stat("/dev/vda", &st) != 0; i++) {
    if (i == 6000) die("waiting for /dev/vda");
    struct timespec ten_ms = {0, 10000000};
    nanosleep(&ten_ms, NULL);
  }
  int fd = open("/dev/vda", O_RDWR | O_DIRECT | O_SYNC);
  if (fd < 0) die("open /dev/vda");
  uint64_t bytes = 0;
  if (ioctl(fd, BLKGETSIZE64, &bytes) != 0) die("BLKGETSIZE64");
  uint64_t blocks = bytes / BLOCK;
  if (blocks == 0) die("empty disk");
  unsigned char *buf;
  if (posix_memalign((void **)&buf, BLOCK, BLOCK) != 0) die("posix_memalign");

  printf("linux-block disk bytes %llu\n", (unsigned long long)bytes);
  run(fd, "seq-read", 0, 0, n, blocks, buf);
  run(fd, "rand-read", 0, 1, n, blocks, buf);
  run(fd, "seq-write", 1, 0, n, blocks, buf);
  run(fd, "rand-write", 1, 1, n, blocks, buf);
  close(fd);
  printf("linux-block done\n");
  fflush(stdout);
  sync();
  reboot(RB_POWER_OFF);
  return 0;
}
