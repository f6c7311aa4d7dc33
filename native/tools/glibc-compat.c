/*
 * Linked into the Linux glibc prebuilds only (CMakeLists.txt, TORCHLET_PORTABLE_GLIBC), so that one
 * binary built against this machine's glibc 2.36 still loads on glibc 2.28 (Debian 10, RHEL 8,
 * Ubuntu 20.04: the oldest glibc Node 20 itself supports).
 *
 * The linker binds every glibc reference to the newest version the build machine's libc defines.
 * The symbols below gained a new version after 2.28 (the math functions in 2.29, the pthread ones
 * when libpthread moved into libc in 2.34) or did not exist before it (__libc_single_threaded 2.32,
 * arc4random 2.36; both come from the statically linked libstdc++). The link runs with
 * -Wl,--wrap=<sym> for each, which sends every reference, ours and libstdc++'s, to __wrap_<sym>
 * here; that calls the oldest version of the same function, pinned with .symver. The old versions
 * are the same code (the 2.29 math versions differ only in not setting errno, which -fno-math-errno
 * code never reads). test/packaging/glibc.test.ts reads the result's version needs.
 */
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/random.h>

#if defined(__x86_64__)
#define TL_BASE "GLIBC_2.2.5"
#elif defined(__aarch64__)
#define TL_BASE "GLIBC_2.17"
#else
#error "glibc-compat.c: add this architecture's oldest glibc symbol version"
#endif

#define TL_HIDDEN __attribute__((visibility("hidden")))
#define TL_PIN(name) __asm__(".symver tl_old_" #name "," #name "@" TL_BASE)

#define TL_COMPAT(ret, name, params, args) \
  ret tl_old_##name params;                \
  TL_PIN(name);                            \
  TL_HIDDEN ret __wrap_##name params { return tl_old_##name args; }

TL_COMPAT(double, exp, (double x), (x))
TL_COMPAT(double, exp2, (double x), (x))
TL_COMPAT(double, log, (double x), (x))
TL_COMPAT(double, log2, (double x), (x))
TL_COMPAT(double, pow, (double x, double y), (x, y))

TL_COMPAT(int, pthread_create, (pthread_t * t, const pthread_attr_t* a, void* (*f)(void*), void* arg), (t, a, f, arg))
TL_COMPAT(int, pthread_detach, (pthread_t t), (t))
TL_COMPAT(int, pthread_join, (pthread_t t, void** r), (t, r))
TL_COMPAT(int, pthread_once, (pthread_once_t * o, void (*f)(void)), (o, f))
TL_COMPAT(int, pthread_key_create, (pthread_key_t * k, void (*d)(void*)), (k, d))
TL_COMPAT(int, pthread_key_delete, (pthread_key_t k), (k))
TL_COMPAT(void*, pthread_getspecific, (pthread_key_t k), (k))
TL_COMPAT(int, pthread_setspecific, (pthread_key_t k, const void* v), (k, v))
TL_COMPAT(int, pthread_mutex_trylock, (pthread_mutex_t * m), (m))

/* libstdc++ skips atomic reference counting when this says the process has one thread. 0 ("maybe
 * more than one") is always correct: it only keeps the atomics. Node always runs several threads. */
TL_HIDDEN char __wrap___libc_single_threaded = 0;

/* std::random_device's "arc4random" source; getrandom (2.25) is what glibc's arc4random reads. */
TL_HIDDEN uint32_t __wrap_arc4random(void) {
  uint32_t v = 0;
  size_t got = 0;
  while (got < sizeof v) {
    ssize_t n = getrandom((char*)&v + got, sizeof v - got, 0);
    if (n > 0) got += (size_t)n;
  }
  return v;
}
