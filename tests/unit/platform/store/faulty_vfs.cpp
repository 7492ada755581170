#include "faulty_vfs.hpp"

#include <sqlite3.h>

namespace s46::store::test {
namespace {

// Our file object, followed in the same allocation by the real VFS's file object.
struct FaultyFile {
    sqlite3_file base;
    sqlite3_file* real;
};

sqlite3_vfs* g_real = nullptr;
sqlite3_vfs g_vfs;
sqlite3_io_methods g_methods;
bool g_fail = false;

sqlite3_file* real(sqlite3_file* f) { return reinterpret_cast<FaultyFile*>(f)->real; }

int x_close(sqlite3_file* f) { return real(f)->pMethods->xClose(real(f)); }
int x_read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) { return real(f)->pMethods->xRead(real(f), buf, n, off); }
int x_write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
    if (g_fail) return SQLITE_IOERR_WRITE;
    return real(f)->pMethods->xWrite(real(f), buf, n, off);
}
int x_truncate(sqlite3_file* f, sqlite3_int64 size) {
    if (g_fail) return SQLITE_IOERR_TRUNCATE;
    return real(f)->pMethods->xTruncate(real(f), size);
}
int x_sync(sqlite3_file* f, int flags) { return real(f)->pMethods->xSync(real(f), flags); }
int x_file_size(sqlite3_file* f, sqlite3_int64* size) { return real(f)->pMethods->xFileSize(real(f), size); }
int x_lock(sqlite3_file* f, int l) { return real(f)->pMethods->xLock(real(f), l); }
int x_unlock(sqlite3_file* f, int l) { return real(f)->pMethods->xUnlock(real(f), l); }
int x_check_reserved(sqlite3_file* f, int* out) { return real(f)->pMethods->xCheckReservedLock(real(f), out); }
int x_file_control(sqlite3_file* f, int op, void* arg) { return real(f)->pMethods->xFileControl(real(f), op, arg); }
int x_sector_size(sqlite3_file* f) { return real(f)->pMethods->xSectorSize(real(f)); }
int x_device(sqlite3_file* f) { return real(f)->pMethods->xDeviceCharacteristics(real(f)); }
int x_shm_map(sqlite3_file* f, int pg, int sz, int extend, void volatile** p) {
    return real(f)->pMethods->xShmMap(real(f), pg, sz, extend, p);
}
int x_shm_lock(sqlite3_file* f, int off, int n, int flags) { return real(f)->pMethods->xShmLock(real(f), off, n, flags); }
void x_shm_barrier(sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); }
int x_shm_unmap(sqlite3_file* f, int del) { return real(f)->pMethods->xShmUnmap(real(f), del); }
int x_fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** p) { return real(f)->pMethods->xFetch(real(f), off, n, p); }
int x_unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) { return real(f)->pMethods->xUnfetch(real(f), off, p); }

int x_open(sqlite3_vfs*, const char* name, sqlite3_file* f, int flags, int* out_flags) {
    auto* ff = reinterpret_cast<FaultyFile*>(f);
    ff->real = reinterpret_cast<sqlite3_file*>(ff + 1);
    int rc = g_real->xOpen(g_real, name, ff->real, flags, out_flags);
    // SQLite calls xClose only when pMethods is set; mirror the real VFS's decision.
    ff->base.pMethods = ff->real->pMethods ? &g_methods : nullptr;
    return rc;
}

void install() {
    g_real = sqlite3_vfs_find(nullptr);
    g_methods = sqlite3_io_methods{};
    g_methods.iVersion = 3;
    g_methods.xClose = x_close;
    g_methods.xRead = x_read;
    g_methods.xWrite = x_write;
    g_methods.xTruncate = x_truncate;
    g_methods.xSync = x_sync;
    g_methods.xFileSize = x_file_size;
    g_methods.xLock = x_lock;
    g_methods.xUnlock = x_unlock;
    g_methods.xCheckReservedLock = x_check_reserved;
    g_methods.xFileControl = x_file_control;
    g_methods.xSectorSize = x_sector_size;
    g_methods.xDeviceCharacteristics = x_device;
    g_methods.xShmMap = x_shm_map;
    g_methods.xShmLock = x_shm_lock;
    g_methods.xShmBarrier = x_shm_barrier;
    g_methods.xShmUnmap = x_shm_unmap;
    g_methods.xFetch = x_fetch;
    g_methods.xUnfetch = x_unfetch;
    // Every other VFS entry (delete, access, full path, time, ...) is the real one; the unix
    // VFS shares those functions between its variants, keyed on the copied pAppData.
    g_vfs = *g_real;
    g_vfs.zName = "s46-faulty";
    g_vfs.szOsFile = static_cast<int>(sizeof(FaultyFile)) + g_real->szOsFile;
    g_vfs.xOpen = x_open;
    g_vfs.pNext = nullptr;
    sqlite3_vfs_register(&g_vfs, 0);
}

}  // namespace

const char* faulty_vfs_name() {
    static bool installed = (install(), true);
    (void)installed;
    return "s46-faulty";
}

void set_fail_writes(bool fail) { g_fail = fail; }

}  // namespace s46::store::test
