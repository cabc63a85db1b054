// CIMLinux's GPIO side: libgpiod, loaded when the first chip is opened
// rather than linked, so that one cimfw binary runs with either API:
//
//   libgpiod 2.x, soname libgpiod.so.3 (Debian 13's libgpiod3): the GPIO
//     character device's v2 ioctls, which every kernel since 5.10 has;
//   libgpiod 1.x, soname libgpiod.so.2 (Debian 12's libgpiod2): the v1
//     ioctls, which kernels built without CONFIG_GPIO_CDEV_V1 (Debian's 7.x)
//     refuse with EINVAL.
//
// 2.x is preferred when both are installed; CIMFW_LIBGPIOD names a library
// (a soname or a path) to use instead. Conventions are in
// include/CLinuxShim.h (0 or -errno).
//
// The two APIs share the header name gpiod.h, so neither header is included:
// the calls and constants used here are declared below as libgpiod 1.6.3's
// and 2.1's gpiod.h declare them (each soname keeps its ABI).

#include "CLinuxShim.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct gpiod_chip;
struct gpiod_line;                 // v1
struct gpiod_chip_info;            // v2, and the rest below
struct gpiod_line_settings;
struct gpiod_line_config;
struct gpiod_request_config;
struct gpiod_line_request;
struct gpiod_edge_event_buffer;
struct gpiod_edge_event;

// v1: struct gpiod_line_event and its event types.
struct v1_line_event {
    struct timespec ts;
    int event_type;
};
enum { V1_LINE_EVENT_RISING_EDGE = 1 };

// v2: the enum values the calls below take or return.
enum {
    V2_LINE_VALUE_ERROR = -1,
    V2_LINE_VALUE_INACTIVE = 0,
    V2_LINE_VALUE_ACTIVE = 1,
    V2_LINE_DIRECTION_INPUT = 2,
    V2_LINE_DIRECTION_OUTPUT = 3,
    V2_LINE_EDGE_BOTH = 4,
    V2_LINE_CLOCK_MONOTONIC = 1,
    V2_EDGE_EVENT_RISING_EDGE = 1,
};

/// The loaded library: its API version and entry points, filled once.
static struct {
    int version;                   // 1 or 2; -ELIBACC when none could be loaded
    char library[512];             // what was loaded, or why nothing was
    struct gpiod_chip *(*chip_open)(const char *path);
    void (*chip_close)(struct gpiod_chip *chip);
    struct {
        const char *(*chip_label)(struct gpiod_chip *chip);
        unsigned int (*chip_num_lines)(struct gpiod_chip *chip);
        struct gpiod_line *(*chip_get_line)(struct gpiod_chip *chip, unsigned int offset);
        struct gpiod_line *(*chip_find_line)(struct gpiod_chip *chip, const char *name);
        unsigned int (*line_offset)(struct gpiod_line *line);
        int (*line_request_output)(struct gpiod_line *line, const char *consumer, int default_value);
        int (*line_request_both_edges_events)(struct gpiod_line *line, const char *consumer);
        int (*line_set_value)(struct gpiod_line *line, int value);
        int (*line_get_value)(struct gpiod_line *line);
        int (*line_event_wait)(struct gpiod_line *line, const struct timespec *timeout);
        int (*line_event_read)(struct gpiod_line *line, struct v1_line_event *event);
        void (*line_release)(struct gpiod_line *line);
    } v1;
    struct {
        struct gpiod_chip_info *(*chip_get_info)(struct gpiod_chip *chip);
        const char *(*chip_info_get_label)(struct gpiod_chip_info *info);
        size_t (*chip_info_get_num_lines)(struct gpiod_chip_info *info);
        void (*chip_info_free)(struct gpiod_chip_info *info);
        int (*chip_get_line_offset_from_name)(struct gpiod_chip *chip, const char *name);
        struct gpiod_line_settings *(*line_settings_new)(void);
        void (*line_settings_free)(struct gpiod_line_settings *settings);
        int (*line_settings_set_direction)(struct gpiod_line_settings *settings, int direction);
        int (*line_settings_set_output_value)(struct gpiod_line_settings *settings, int value);
        int (*line_settings_set_edge_detection)(struct gpiod_line_settings *settings, int edge);
        int (*line_settings_set_event_clock)(struct gpiod_line_settings *settings, int clock);
        struct gpiod_line_config *(*line_config_new)(void);
        void (*line_config_free)(struct gpiod_line_config *config);
        int (*line_config_add_line_settings)(struct gpiod_line_config *config, const unsigned int *offsets,
                                             size_t num_offsets, struct gpiod_line_settings *settings);
        struct gpiod_request_config *(*request_config_new)(void);
        void (*request_config_free)(struct gpiod_request_config *config);
        void (*request_config_set_consumer)(struct gpiod_request_config *config, const char *consumer);
        struct gpiod_line_request *(*chip_request_lines)(struct gpiod_chip *chip,
                                                         struct gpiod_request_config *request_config,
                                                         struct gpiod_line_config *line_config);
        void (*line_request_release)(struct gpiod_line_request *request);
        int (*line_request_get_value)(struct gpiod_line_request *request, unsigned int offset);
        int (*line_request_set_value)(struct gpiod_line_request *request, unsigned int offset, int value);
        int (*line_request_wait_edge_events)(struct gpiod_line_request *request, int64_t timeout_ns);
        int (*line_request_read_edge_events)(struct gpiod_line_request *request,
                                             struct gpiod_edge_event_buffer *buffer, size_t max_events);
        struct gpiod_edge_event_buffer *(*edge_event_buffer_new)(size_t capacity);
        void (*edge_event_buffer_free)(struct gpiod_edge_event_buffer *buffer);
        struct gpiod_edge_event *(*edge_event_buffer_get_event)(struct gpiod_edge_event_buffer *buffer,
                                                                unsigned long index);
        int (*edge_event_get_event_type)(struct gpiod_edge_event *event);
        uint64_t (*edge_event_get_timestamp_ns)(struct gpiod_edge_event *event);
    } v2;
} gpiod = { .version = -ELIBACC };

static pthread_once_t gpiod_once = PTHREAD_ONCE_INIT;

/// Looks `name` up in `handle` into `slot`; appends the name to `missing` when absent.
static void bind(void *handle, const char *name, void *slot, char *missing, size_t size) {
    void *symbol = dlsym(handle, name);
    // POSIX lets a function pointer round-trip through void * (dlsym's contract).
    memcpy(slot, &symbol, sizeof symbol);
    if (symbol == NULL && strlen(missing) + strlen(name) + 2 < size) {
        strcat(missing, missing[0] ? " " : "");
        strcat(missing, name);
    }
}

#define BIND(field, symbol) bind(handle, symbol, &gpiod.field, missing, size)

/// Binds every call of the API `handle` provides; 1 or 2, or 0 with
/// `missing` naming what is absent.
static int bind_api(void *handle, char *missing, size_t size) {
    missing[0] = '\0';
    BIND(chip_open, "gpiod_chip_open");
    BIND(chip_close, "gpiod_chip_close");
    if (dlsym(handle, "gpiod_chip_get_info") != NULL) {
        BIND(v2.chip_get_info, "gpiod_chip_get_info");
        BIND(v2.chip_info_get_label, "gpiod_chip_info_get_label");
        BIND(v2.chip_info_get_num_lines, "gpiod_chip_info_get_num_lines");
        BIND(v2.chip_info_free, "gpiod_chip_info_free");
        BIND(v2.chip_get_line_offset_from_name, "gpiod_chip_get_line_offset_from_name");
        BIND(v2.line_settings_new, "gpiod_line_settings_new");
        BIND(v2.line_settings_free, "gpiod_line_settings_free");
        BIND(v2.line_settings_set_direction, "gpiod_line_settings_set_direction");
        BIND(v2.line_settings_set_output_value, "gpiod_line_settings_set_output_value");
        BIND(v2.line_settings_set_edge_detection, "gpiod_line_settings_set_edge_detection");
        BIND(v2.line_settings_set_event_clock, "gpiod_line_settings_set_event_clock");
        BIND(v2.line_config_new, "gpiod_line_config_new");
        BIND(v2.line_config_free, "gpiod_line_config_free");
        BIND(v2.line_config_add_line_settings, "gpiod_line_config_add_line_settings");
        BIND(v2.request_config_new, "gpiod_request_config_new");
        BIND(v2.request_config_free, "gpiod_request_config_free");
        BIND(v2.request_config_set_consumer, "gpiod_request_config_set_consumer");
        BIND(v2.chip_request_lines, "gpiod_chip_request_lines");
        BIND(v2.line_request_release, "gpiod_line_request_release");
        BIND(v2.line_request_get_value, "gpiod_line_request_get_value");
        BIND(v2.line_request_set_value, "gpiod_line_request_set_value");
        BIND(v2.line_request_wait_edge_events, "gpiod_line_request_wait_edge_events");
        BIND(v2.line_request_read_edge_events, "gpiod_line_request_read_edge_events");
        BIND(v2.edge_event_buffer_new, "gpiod_edge_event_buffer_new");
        BIND(v2.edge_event_buffer_free, "gpiod_edge_event_buffer_free");
        BIND(v2.edge_event_buffer_get_event, "gpiod_edge_event_buffer_get_event");
        BIND(v2.edge_event_get_event_type, "gpiod_edge_event_get_event_type");
        BIND(v2.edge_event_get_timestamp_ns, "gpiod_edge_event_get_timestamp_ns");
        return missing[0] ? 0 : 2;
    }
    BIND(v1.chip_label, "gpiod_chip_label");
    BIND(v1.chip_num_lines, "gpiod_chip_num_lines");
    BIND(v1.chip_get_line, "gpiod_chip_get_line");
    BIND(v1.chip_find_line, "gpiod_chip_find_line");
    BIND(v1.line_offset, "gpiod_line_offset");
    BIND(v1.line_request_output, "gpiod_line_request_output");
    BIND(v1.line_request_both_edges_events, "gpiod_line_request_both_edges_events");
    BIND(v1.line_set_value, "gpiod_line_set_value");
    BIND(v1.line_get_value, "gpiod_line_get_value");
    BIND(v1.line_event_wait, "gpiod_line_event_wait");
    BIND(v1.line_event_read, "gpiod_line_event_read");
    BIND(v1.line_release, "gpiod_line_release");
    return missing[0] ? 0 : 1;
}

#undef BIND

/// Tries one library; on failure appends why to gpiod.library.
static int load_one(const char *name) {
    void *handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    size_t used = strlen(gpiod.library);
    char *reason = gpiod.library + used;
    size_t room = sizeof gpiod.library - used;
    if (handle == NULL) {
        const char *error = dlerror();
        snprintf(reason, room, "%s%s", used ? "; " : "", error ? error : name);
        return 0;
    }
    char missing[256];
    int version = bind_api(handle, missing, sizeof missing);
    if (version == 0) {
        snprintf(reason, room, "%s%s: not libgpiod 1.x or 2.x (no %s)", used ? "; " : "", name, missing);
        dlclose(handle);
        return 0;
    }
    gpiod.version = version;
    snprintf(gpiod.library, sizeof gpiod.library, "%s", name);
    return version;
}

static void load(void) {
    gpiod.library[0] = '\0';
    const char *chosen = getenv("CIMFW_LIBGPIOD");
    if (chosen != NULL && chosen[0] != '\0') {
        load_one(chosen);
        return;
    }
    if (load_one("libgpiod.so.3")) return;
    load_one("libgpiod.so.2");
}

int cimfw_gpiod_api_version(void) {
    pthread_once(&gpiod_once, load);
    return gpiod.version;
}

const char *cimfw_gpiod_library(void) {
    pthread_once(&gpiod_once, load);
    return gpiod.library;
}

/// -errno of the call that just failed; -EIO if a library failed without
/// setting errno, so a failure is never reported as success.
static int negative_errno(void) {
    return errno > 0 ? -errno : -EIO;
}

struct cimfw_gpio_chip {
    struct gpiod_chip *chip;
};

int cimfw_gpio_chip_open(const char *path, cimfw_gpio_chip **out) {
    if (path == NULL || out == NULL) return -EINVAL;
    *out = NULL;
    int version = cimfw_gpiod_api_version();
    if (version < 0) return version;
    struct cimfw_gpio_chip *handle = calloc(1, sizeof *handle);
    if (handle == NULL) return -ENOMEM;
    errno = 0;
    // Both APIs have gpiod_chip_open(path) and set errno on failure.
    handle->chip = gpiod.chip_open(path);
    if (handle->chip == NULL) {
        int err = negative_errno();
        free(handle);
        return err;
    }
    *out = handle;
    return 0;
}

void cimfw_gpio_chip_close(cimfw_gpio_chip *chip) {
    if (chip == NULL) return;
    gpiod.chip_close(chip->chip);
    free(chip);
}

int cimfw_gpio_chip_label(cimfw_gpio_chip *chip, char *buffer, size_t size) {
    if (chip == NULL || buffer == NULL || size == 0) return -EINVAL;
    if (gpiod.version == 1) {
        const char *label = gpiod.v1.chip_label(chip->chip);
        snprintf(buffer, size, "%s", label ? label : "");
        return 0;
    }
    errno = 0;
    struct gpiod_chip_info *info = gpiod.v2.chip_get_info(chip->chip);
    if (info == NULL) return negative_errno();
    const char *label = gpiod.v2.chip_info_get_label(info);
    snprintf(buffer, size, "%s", label ? label : "");
    gpiod.v2.chip_info_free(info);
    return 0;
}

int cimfw_gpio_chip_num_lines(cimfw_gpio_chip *chip) {
    if (chip == NULL) return -EINVAL;
    if (gpiod.version == 1) return (int)gpiod.v1.chip_num_lines(chip->chip);
    errno = 0;
    struct gpiod_chip_info *info = gpiod.v2.chip_get_info(chip->chip);
    if (info == NULL) return negative_errno();
    int count = (int)gpiod.v2.chip_info_get_num_lines(info);
    gpiod.v2.chip_info_free(info);
    return count;
}

int cimfw_gpio_chip_open_by_label(const char *label, cimfw_gpio_chip **out) {
    if (label == NULL || out == NULL) return -EINVAL;
    *out = NULL;
    int version = cimfw_gpiod_api_version();
    if (version < 0) return version;
    // One loop for both APIs (v2 has no open_by_label): try every
    // /dev/gpiochip* in turn. Names are not sorted; the first match wins, as
    // with v1's gpiod_chip_open_by_label.
    DIR *dev = opendir("/dev");
    if (dev == NULL) return negative_errno();
    int denied = 0;
    struct dirent *entry;
    while ((entry = readdir(dev)) != NULL) {
        if (strncmp(entry->d_name, "gpiochip", 8) != 0) continue;
        char path[64 + sizeof entry->d_name];
        snprintf(path, sizeof path, "/dev/%s", entry->d_name);
        cimfw_gpio_chip *candidate = NULL;
        int err = cimfw_gpio_chip_open(path, &candidate);
        if (err == -EACCES || err == -EPERM) denied = 1;
        if (err < 0) continue;
        char found[256];
        if (cimfw_gpio_chip_label(candidate, found, sizeof found) == 0 && strcmp(found, label) == 0) {
            closedir(dev);
            *out = candidate;
            return 0;
        }
        cimfw_gpio_chip_close(candidate);
    }
    closedir(dev);
    return denied ? -EACCES : -ENOENT;
}

int cimfw_gpio_chip_find_line(cimfw_gpio_chip *chip, const char *name) {
    if (chip == NULL || name == NULL) return -EINVAL;
    errno = 0;
    if (gpiod.version == 1) {
        struct gpiod_line *line = gpiod.v1.chip_find_line(chip->chip, name);
        if (line == NULL) return errno > 0 ? -errno : -ENOENT;
        return (int)gpiod.v1.line_offset(line);
    }
    int offset = gpiod.v2.chip_get_line_offset_from_name(chip->chip, name);
    if (offset < 0) return errno > 0 ? -errno : -ENOENT;
    return offset;
}

/// A requested line. v1: the chip's struct gpiod_line (the chip owns it).
/// v2: a one-line struct gpiod_line_request, which does not depend on the
/// chip handle staying open, with an event buffer for inputs.
struct cimfw_gpio_line {
    struct gpiod_line *line;
    struct gpiod_line_request *request;
    unsigned int offset;
    struct gpiod_edge_event_buffer *events; // v2 inputs only
};

static int v1_request(cimfw_gpio_chip *chip, unsigned offset, const char *consumer,
                      int output, int initial, cimfw_gpio_line **out) {
    struct cimfw_gpio_line *handle = calloc(1, sizeof *handle);
    if (handle == NULL) return -ENOMEM;
    errno = 0;
    struct gpiod_line *line = gpiod.v1.chip_get_line(chip->chip, offset);
    int requested = line == NULL ? -1
        // uAPI v1 cannot choose the event clock: the kernel stamps
        // CLOCK_MONOTONIC since Linux 5.7, CLOCK_REALTIME before.
        : output ? gpiod.v1.line_request_output(line, consumer, initial ? 1 : 0)
                 : gpiod.v1.line_request_both_edges_events(line, consumer);
    if (requested < 0) {
        int err = negative_errno();
        free(handle);
        return err;
    }
    handle->line = line;
    handle->offset = offset;
    *out = handle;
    return 0;
}

static int v2_request(cimfw_gpio_chip *chip, unsigned offset, const char *consumer,
                      int output, int initial, cimfw_gpio_line **out) {
    int err = 0;
    struct cimfw_gpio_line *handle = calloc(1, sizeof *handle);
    struct gpiod_line_settings *settings = gpiod.v2.line_settings_new();
    struct gpiod_line_config *line_config = gpiod.v2.line_config_new();
    struct gpiod_request_config *request_config = gpiod.v2.request_config_new();
    if (handle == NULL || settings == NULL || line_config == NULL || request_config == NULL) {
        err = -ENOMEM;
        goto done;
    }
    errno = 0;
    if (output) {
        if (gpiod.v2.line_settings_set_direction(settings, V2_LINE_DIRECTION_OUTPUT) < 0
            || gpiod.v2.line_settings_set_output_value(settings, initial ? V2_LINE_VALUE_ACTIVE
                                                                         : V2_LINE_VALUE_INACTIVE) < 0) {
            err = negative_errno();
            goto done;
        }
    } else {
        // Monotonic is v2's default; say so, so that edges share a time base
        // with clock_gettime(CLOCK_MONOTONIC) on the host.
        if (gpiod.v2.line_settings_set_direction(settings, V2_LINE_DIRECTION_INPUT) < 0
            || gpiod.v2.line_settings_set_edge_detection(settings, V2_LINE_EDGE_BOTH) < 0
            || gpiod.v2.line_settings_set_event_clock(settings, V2_LINE_CLOCK_MONOTONIC) < 0) {
            err = negative_errno();
            goto done;
        }
        handle->events = gpiod.v2.edge_event_buffer_new(1);
        if (handle->events == NULL) {
            err = -ENOMEM;
            goto done;
        }
    }
    unsigned int offsets[1] = { offset };
    if (gpiod.v2.line_config_add_line_settings(line_config, offsets, 1, settings) < 0) {
        err = negative_errno();
        goto done;
    }
    if (consumer != NULL) gpiod.v2.request_config_set_consumer(request_config, consumer);
    errno = 0;
    handle->request = gpiod.v2.chip_request_lines(chip->chip, request_config, line_config);
    if (handle->request == NULL) {
        err = negative_errno();
        goto done;
    }
    handle->offset = offset;
    *out = handle;
    handle = NULL;
done:
    if (handle != NULL) {
        if (handle->events != NULL) gpiod.v2.edge_event_buffer_free(handle->events);
        free(handle);
    }
    if (request_config != NULL) gpiod.v2.request_config_free(request_config);
    if (line_config != NULL) gpiod.v2.line_config_free(line_config);
    if (settings != NULL) gpiod.v2.line_settings_free(settings);
    return err;
}

static int request(cimfw_gpio_chip *chip, unsigned offset, const char *consumer,
                   int output, int initial, cimfw_gpio_line **out) {
    if (chip == NULL || out == NULL) return -EINVAL;
    *out = NULL;
    return gpiod.version == 1 ? v1_request(chip, offset, consumer, output, initial, out)
                              : v2_request(chip, offset, consumer, output, initial, out);
}

int cimfw_gpio_request_output(cimfw_gpio_chip *chip, unsigned offset, const char *consumer,
                              int initial, cimfw_gpio_line **out) {
    return request(chip, offset, consumer, 1, initial, out);
}

int cimfw_gpio_request_both_edges(cimfw_gpio_chip *chip, unsigned offset, const char *consumer,
                                  cimfw_gpio_line **out) {
    return request(chip, offset, consumer, 0, 0, out);
}

int cimfw_gpio_set_value(cimfw_gpio_line *line, int value) {
    if (line == NULL) return -EINVAL;
    errno = 0;
    int r = gpiod.version == 1
        ? gpiod.v1.line_set_value(line->line, value ? 1 : 0)
        : gpiod.v2.line_request_set_value(line->request, line->offset,
                                          value ? V2_LINE_VALUE_ACTIVE : V2_LINE_VALUE_INACTIVE);
    return r < 0 ? negative_errno() : 0;
}

int cimfw_gpio_get_value(cimfw_gpio_line *line) {
    if (line == NULL) return -EINVAL;
    errno = 0;
    if (gpiod.version == 1) {
        int value = gpiod.v1.line_get_value(line->line);
        return value < 0 ? negative_errno() : (value ? 1 : 0);
    }
    int value = gpiod.v2.line_request_get_value(line->request, line->offset);
    if (value == V2_LINE_VALUE_ERROR) return negative_errno();
    return value == V2_LINE_VALUE_ACTIVE ? 1 : 0;
}

int cimfw_gpio_wait_edge(cimfw_gpio_line *line, int64_t timeout_ns) {
    // A negative timeout would block forever in v2; the Swift API never asks for that.
    if (line == NULL || timeout_ns < 0) return -EINVAL;
    errno = 0;
    int r;
    if (gpiod.version == 1) {
        struct timespec timeout = {
            .tv_sec = (time_t)(timeout_ns / 1000000000),
            .tv_nsec = (long)(timeout_ns % 1000000000),
        };
        r = gpiod.v1.line_event_wait(line->line, &timeout);
    } else {
        if (line->events == NULL) return -EINVAL;
        r = gpiod.v2.line_request_wait_edge_events(line->request, timeout_ns);
    }
    return r < 0 ? negative_errno() : (r > 0 ? 1 : 0);
}

int cimfw_gpio_read_edge(cimfw_gpio_line *line, uint64_t *timestamp_ns, int *rising) {
    if (line == NULL || timestamp_ns == NULL || rising == NULL) return -EINVAL;
    errno = 0;
    if (gpiod.version == 1) {
        struct v1_line_event event;
        if (gpiod.v1.line_event_read(line->line, &event) < 0) return negative_errno();
        *timestamp_ns = (uint64_t)event.ts.tv_sec * 1000000000u + (uint64_t)event.ts.tv_nsec;
        *rising = event.event_type == V1_LINE_EVENT_RISING_EDGE;
        return 0;
    }
    if (line->events == NULL) return -EINVAL;
    int count = gpiod.v2.line_request_read_edge_events(line->request, line->events, 1);
    if (count < 0) return negative_errno();
    if (count == 0) return -EAGAIN;
    struct gpiod_edge_event *event = gpiod.v2.edge_event_buffer_get_event(line->events, 0);
    if (event == NULL) return -EIO;
    *timestamp_ns = gpiod.v2.edge_event_get_timestamp_ns(event);
    *rising = gpiod.v2.edge_event_get_event_type(event) == V2_EDGE_EVENT_RISING_EDGE;
    return 0;
}

void cimfw_gpio_release(cimfw_gpio_line *line) {
    if (line == NULL) return;
    if (gpiod.version == 1) {
        gpiod.v1.line_release(line->line);
    } else {
        gpiod.v2.line_request_release(line->request);
        if (line->events != NULL) gpiod.v2.edge_event_buffer_free(line->events);
    }
    free(line);
}
