/* SPDX-License-Identifier: BSD-2-Clause */
/* crc32.h -- CRC-32 (IEEE 802.3, the polynomial of zlib and PNG). */
#ifndef SC_CRC32_H
#define SC_CRC32_H

#include <stddef.h>
#include <stdint.h>

uint32_t sc_crc32(const unsigned char *data, size_t size);

/* The CRC of the bytes whose CRC is crc followed by data: starting from 0,
 * chunk by chunk, it ends at sc_crc32 of the whole. */
uint32_t sc_crc32_update(uint32_t crc, const unsigned char *data,
                         size_t size);

#endif
