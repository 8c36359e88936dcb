/* SPDX-License-Identifier: BSD-2-Clause */
/* make_idx.c -- writes a tiny MNIST-format data set for the examples test
 * (tests/examples_test.sh), so that the test needs no download and no
 * python.
 *
 *   make_idx DIR [TRAIN TEST]        (defaults: 300 and 100 images)
 *
 * Writes DIR/{train,t10k}-{images-idx3,labels-idx1}-ubyte, uncompressed:
 * 8 x 8 images in 3 classes, each class a bright 4 x 4 block at its own
 * place (class 0 top left, 1 top right, 2 bottom middle) on a noisy
 * background.  Pixels are uniform in [0, 60] off the block and in
 * [180, 255] on it; labels are uniform in 0..2.  A fixed LCG makes the
 * files the same on every machine.  Exits 0, or 1 with a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIZE 8
#define BLOCK 4
#define CLASSES 3

static unsigned long long state = 20240607ULL;

/* A number uniform in [0, n): the top bits of a 64-bit LCG. */
static unsigned next(unsigned n)
{
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((state >> 33) % n);
}

static void put_u32(unsigned char *b, unsigned long v)
{
    b[0] = (unsigned char)(v >> 24);
    b[1] = (unsigned char)(v >> 16);
    b[2] = (unsigned char)(v >> 8);
    b[3] = (unsigned char)v;
}

/* Writes one image file and its label file; returns 0 or -1. */
static int write_pair(const char *dir, const char *prefix, unsigned long count)
{
    static const int block_row[CLASSES] = {0, 0, 4}, block_col[CLASSES] = {0, 4, 2};
    char ipath[4096], lpath[4096];
    snprintf(ipath, sizeof ipath, "%s/%s-images-idx3-ubyte", dir, prefix);
    snprintf(lpath, sizeof lpath, "%s/%s-labels-idx1-ubyte", dir, prefix);
    FILE *fi = fopen(ipath, "wb"), *fl = fopen(lpath, "wb");
    if (fi == NULL || fl == NULL) {
        fprintf(stderr, "make_idx: cannot create %s\n", fi ? lpath : ipath);
        if (fi) fclose(fi);
        if (fl) fclose(fl);
        return -1;
    }
    unsigned char ih[16], lh[8];
    put_u32(ih, 0x803);
    put_u32(ih + 4, count);
    put_u32(ih + 8, SIZE);
    put_u32(ih + 12, SIZE);
    put_u32(lh, 0x801);
    put_u32(lh + 4, count);
    int ok = fwrite(ih, 1, sizeof ih, fi) == sizeof ih &&
             fwrite(lh, 1, sizeof lh, fl) == sizeof lh;
    for (unsigned long i = 0; ok && i < count; i++) {
        unsigned char label = (unsigned char)next(CLASSES), pixels[SIZE * SIZE];
        for (int r = 0; r < SIZE; r++)
            for (int c = 0; c < SIZE; c++) {
                int in = r >= block_row[label] && r < block_row[label] + BLOCK &&
                         c >= block_col[label] && c < block_col[label] + BLOCK;
                pixels[r * SIZE + c] =
                    (unsigned char)(in ? 180 + next(76) : next(61));
            }
        ok = fwrite(pixels, 1, sizeof pixels, fi) == sizeof pixels &&
             fwrite(&label, 1, 1, fl) == 1;
    }
    ok = (fclose(fi) == 0) & (fclose(fl) == 0) & ok;
    if (!ok)
        fprintf(stderr, "make_idx: cannot write %s or %s\n", ipath, lpath);
    return ok ? 0 : -1;
}

static unsigned long count_arg(const char *s)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v == 0 || v > 100000) {
        fprintf(stderr, "make_idx: bad count '%s' (1..100000)\n", s);
        exit(1);
    }
    return v;
}

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 4) {
        fprintf(stderr, "usage: make_idx DIR [TRAIN TEST]\n");
        return 1;
    }
    unsigned long train = argc == 4 ? count_arg(argv[2]) : 300;
    unsigned long test = argc == 4 ? count_arg(argv[3]) : 100;
    return write_pair(argv[1], "train", train) ||
           write_pair(argv[1], "t10k", test);
}
