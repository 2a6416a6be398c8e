/* Included first in every native source (native/build.ts passes -include): binds the
 * libc functions whose default symbol version is newer than glibc 2.17 (the oldest glibc
 * Bun's runtime runs on, and the first with aarch64) to their old versions, so the
 * library loads wherever dist/rkt does. The build checks the result (no GLIBC_2.18+). */
#ifndef RKT_GLIBC_COMPAT_H
#define RKT_GLIBC_COMPAT_H

/* glibc 2.34 moved pthread into libc under new versions; the old ones are the same code. */
#if defined(__x86_64__)
__asm__(".symver pthread_create, pthread_create@GLIBC_2.2.5");
__asm__(".symver pthread_join, pthread_join@GLIBC_2.2.5");
#elif defined(__aarch64__)
__asm__(".symver pthread_create, pthread_create@GLIBC_2.17");
__asm__(".symver pthread_join, pthread_join@GLIBC_2.17");
#else
#error "native library: add the pre-2.34 pthread symbol versions for this architecture"
#endif

#endif
