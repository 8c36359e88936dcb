/* SPDX-License-Identifier: BSD-2-Clause */
/* crc32.c -- table-driven CRC-32, reflected polynomial 0xEDB88320. */
#include "crc32.h"

uint32_t sc_crc32(const unsigned char *data, size_t size)
{
    return sc_crc32_update(0, data, size);
}

uint32_t sc_crc32_update(uint32_t crc, const unsigned char *data, size_t size)
{
    uint32_t table[256];
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int j = 0; j < 8; j++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    crc ^= 0xFFFFFFFFu;
    for (size_t i = 0; i < size; i++)
        crc = table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFu;
}
