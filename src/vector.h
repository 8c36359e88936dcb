/* SPDX-License-Identifier: BSD-2-Clause */
/* vector.h -- the element-wise passes at the machine's full vector width,
 * chosen when the library is loaded.
 *
 * The library is built for plain x86-64 (SSE2, 4 floats a vector) so that
 * it runs on any such CPU.  A function marked SC_VECTOR_CLONES is compiled
 * three times, for x86-64, x86-64-v3 (AVX2, 8 floats) and x86-64-v4
 * (AVX-512, 16 floats); the dynamic loader picks the widest the CPU runs
 * (GCC's and clang's target_clones, an ifunc).  On other architectures and
 * compilers the mark is empty and the function is compiled once.
 *
 * The three copies give the same bits: the marked loops are element-wise
 * or sum in an order written out in the source (the compiler may not
 * reorder floating-point sums, and -std=c11 keeps it from fusing a
 * multiply and an add into one FMA), so only the number of elements per
 * instruction changes.
 *
 * Mark a function that is one loop, or a few, over long arrays: a marked
 * function is called through a pointer and is never inlined.  Mark only
 * static functions: GCC exports the dispatcher of a cloned function with
 * external linkage whatever -fvisibility says. */
#ifndef SC_VECTOR_H
#define SC_VECTOR_H

#if defined(__x86_64__) && defined(__ELF__) && \
    ((defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12) || \
     (defined(__clang__) && __clang_major__ >= 14)) && \
    !defined(SC_NO_VECTOR_CLONES)
#define SC_VECTOR_CLONES \
    __attribute__((target_clones("default", "arch=x86-64-v3", \
                                 "arch=x86-64-v4")))
#else
#define SC_VECTOR_CLONES
#endif

#endif
