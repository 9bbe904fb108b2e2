// SPDX-License-Identifier: GPL-3.0-or-later
// Print reference pcg32 streams from O'Neill's C++ implementation
// (pcg_random.hpp, Debian's libpcg-cpp-dev), for tests/rng-t.c.
//
// Output, one line per generator: "seed stream o1 o2 ... o16" where stream
// "-" means the default stream (pcg32 g(seed)).
#include <cstdint>
#include <cstdio>

#include <pcg_random.hpp>

static void line(pcg32 &g, unsigned long long seed, const char *stream)
{
    std::printf("%llu %s", seed, stream);
    for (int i = 0; i < 16; i++)
        std::printf(" %u", (unsigned)g());
    std::printf("\n");
}

int main()
{
    const unsigned long long seeds[] = { 0ULL, 1ULL, 42ULL, 0x853c49e6748fea9bULL,
                                         18446744073709551615ULL };
    const unsigned long long streams[] = { 0ULL, 1ULL, 54ULL, 0xda3e39cb94b95bdbULL,
                                           9223372036854775807ULL };
    for (unsigned long long s : seeds) {
        for (unsigned long long t : streams) {
            pcg32 g(s, t);
            char buf[32];
            std::snprintf(buf, sizeof buf, "%llu", t);
            line(g, s, buf);
        }
        pcg32 d(s);
        line(d, s, "-");
    }
    return 0;
}
