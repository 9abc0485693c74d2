#include "CQuiesceSystem.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

// libcurl's stable ABI (curl/curl.h), so that the agent needs libcurl only when it makes an https://
// call, and no header to build.
enum {
    CURLOPT_URL_ = 10002,
    CURLOPT_CUSTOMREQUEST_ = 10036,
    CURLOPT_POSTFIELDS_ = 10015,
    CURLOPT_POSTFIELDSIZE_ = 60,
    CURLOPT_TIMEOUT_MS_ = 155,
    CURLOPT_NOSIGNAL_ = 99,
    CURLOPT_WRITEFUNCTION_ = 20011,
    CURLINFO_RESPONSE_CODE_ = 0x200002,
    CURL_GLOBAL_DEFAULT_ = 3,
};

typedef void CURL;
static struct {
    int loaded;
    CURL *(*easy_init)(void);
    int (*easy_setopt)(CURL *, int, ...);
    int (*easy_perform)(CURL *);
    int (*easy_getinfo)(CURL *, int, ...);
    void (*easy_cleanup)(CURL *);
    const char *(*easy_strerror)(int);
    int (*global_init)(long);
    char failure[256];
} curl;
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_load(void) {
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        snprintf(curl.failure, sizeof curl.failure, "https:// needs libcurl (libcurl.so.4: %s); install libcurl4",
                 dlerror());
        return;
    }
    curl.easy_init = (CURL * (*)(void)) dlsym(library, "curl_easy_init");
    curl.easy_setopt = (int (*)(CURL *, int, ...))dlsym(library, "curl_easy_setopt");
    curl.easy_perform = (int (*)(CURL *))dlsym(library, "curl_easy_perform");
    curl.easy_getinfo = (int (*)(CURL *, int, ...))dlsym(library, "curl_easy_getinfo");
    curl.easy_cleanup = (void (*)(CURL *))dlsym(library, "curl_easy_cleanup");
    curl.easy_strerror = (const char *(*)(int))dlsym(library, "curl_easy_strerror");
    curl.global_init = (int (*)(long))dlsym(library, "curl_global_init");
    if (!curl.easy_init || !curl.easy_setopt || !curl.easy_perform || !curl.easy_getinfo || !curl.easy_cleanup ||
        !curl.easy_strerror || !curl.global_init || curl.global_init(CURL_GLOBAL_DEFAULT_) != 0) {
        snprintf(curl.failure, sizeof curl.failure, "libcurl.so.4 could not be initialised");
        return;
    }
    curl.loaded = 1;
}

static size_t curl_discard(char *data, size_t size, size_t count, void *context) {
    (void)data;
    (void)context;
    return size * count;
}

long quiesce_curl_request(const char *method, const char *url, long timeout_ms, char *error, size_t error_size) {
    pthread_once(&curl_once, curl_load);
    if (!curl.loaded) {
        snprintf(error, error_size, "%s", curl.failure);
        return -1;
    }
    CURL *handle = curl.easy_init();
    if (handle == NULL) {
        snprintf(error, error_size, "libcurl could not make a request");
        return -1;
    }
    curl.easy_setopt(handle, CURLOPT_URL_, url);
    curl.easy_setopt(handle, CURLOPT_NOSIGNAL_, 1L);
    curl.easy_setopt(handle, CURLOPT_TIMEOUT_MS_, timeout_ms);
    curl.easy_setopt(handle, CURLOPT_WRITEFUNCTION_, curl_discard);
    if (strcmp(method, "GET") != 0) {
        if (strcmp(method, "HEAD") != 0) {
            curl.easy_setopt(handle, CURLOPT_POSTFIELDS_, "");
            curl.easy_setopt(handle, CURLOPT_POSTFIELDSIZE_, 0L);
        }
        curl.easy_setopt(handle, CURLOPT_CUSTOMREQUEST_, method);
    }
    int result = curl.easy_perform(handle);
    long status = -1;
    if (result == 0) {
        curl.easy_getinfo(handle, CURLINFO_RESPONSE_CODE_, &status);
    } else {
        snprintf(error, error_size, "%s", curl.easy_strerror(result));
    }
    curl.easy_cleanup(handle);
    return status;
}
