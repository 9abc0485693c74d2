#define _GNU_SOURCE
#include "CQuiesceSystem.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/// Bit 63 of a /proc/self/pagemap entry: the page is present; bit 61: it is a file page (or shared
/// anonymous). A private file mapping's page that was written is an anonymous copy, and has bit 61
/// clear.
#define PAGEMAP_PRESENT (1ULL << 63)
#define PAGEMAP_FILE (1ULL << 61)

/// Unmaps the file pages of one read-only private mapping, [start, end), that are present and still
/// the file's own (never copied on write): those the kernel maps again from its page cache, unchanged,
/// when next touched. Returns the bytes unmapped.
static size_t release_mapping(int pagemap, uintptr_t start, uintptr_t end, size_t page) {
    size_t released = 0;
    uint64_t entries[512];
    for (uintptr_t batch = start; batch < end; batch += sizeof entries / sizeof entries[0] * page) {
        size_t count = (end - batch) / page;
        if (count > sizeof entries / sizeof entries[0]) count = sizeof entries / sizeof entries[0];
        ssize_t got = pread(pagemap, entries, count * sizeof entries[0], (off_t)(batch / page * sizeof entries[0]));
        if (got <= 0) return released;
        count = (size_t)got / sizeof entries[0];
        size_t run = 0;
        for (size_t index = 0; index <= count; index++) {
            int releasable = index < count && (entries[index] & PAGEMAP_PRESENT) && (entries[index] & PAGEMAP_FILE);
            if (releasable) {
                run++;
                continue;
            }
            if (run > 0) {
                uintptr_t first = batch + (index - run) * page;
                if (madvise((void *)first, run * page, MADV_DONTNEED) == 0) released += run * page;
                run = 0;
            }
        }
    }
    return released;
}

size_t quiesce_release_read_only_file_pages(void) {
    FILE *maps = fopen("/proc/self/maps", "re");
    if (maps == NULL) return 0;
    int pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (pagemap < 0) {
        fclose(maps);
        return 0;
    }
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t released = 0;
    char line[4096];
    while (fgets(line, sizeof line, maps) != NULL) {
        uintptr_t start, end;
        char permissions[5];
        unsigned long long offset;
        int path = 0;
        if (sscanf(line, "%lx-%lx %4s %llx %*s %*u %n", &start, &end, permissions, &offset, &path) < 4) continue;
        // Only private mappings that cannot be written (code, read-only data; a RELRO segment's
        // relocated pages are anonymous copies and are skipped page by page), and only of a file:
        // not the stack, the heap, [vdso] or [vvar].
        if (path == 0 || line[path] != '/') continue;
        if (permissions[1] != '-' || permissions[3] != 'p') continue;
        released += release_mapping(pagemap, start, end, page);
    }
    close(pagemap);
    fclose(maps);
    return released;
}
