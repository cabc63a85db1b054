// CIMLinux's C side: i2c-dev ioctls, libi2c SMBus calls and the libgpiod
// v1/v2 switch. Conventions are in include/CLinuxShim.h (0 or -errno).

#include "CLinuxShim.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include <linux/i2c.h>
#include <linux/i2c-dev.h>
#include <i2c/smbus.h>
#include <gpiod.h>

// The header spells these out so Swift never needs <linux/i2c.h>; make sure
// they are the kernel's.
_Static_assert(CIMFW_I2C_FUNC_I2C == I2C_FUNC_I2C, "I2C_FUNC_I2C");
_Static_assert(CIMFW_I2C_FUNC_SMBUS_READ_BYTE == I2C_FUNC_SMBUS_READ_BYTE, "READ_BYTE");
_Static_assert(CIMFW_I2C_FUNC_SMBUS_WRITE_BYTE == I2C_FUNC_SMBUS_WRITE_BYTE, "WRITE_BYTE");
_Static_assert(CIMFW_I2C_FUNC_SMBUS_READ_BYTE_DATA == I2C_FUNC_SMBUS_READ_BYTE_DATA, "READ_BYTE_DATA");
_Static_assert(CIMFW_I2C_FUNC_SMBUS_WRITE_BYTE_DATA == I2C_FUNC_SMBUS_WRITE_BYTE_DATA, "WRITE_BYTE_DATA");
_Static_assert(CIMFW_I2C_FUNC_SMBUS_READ_I2C_BLOCK == I2C_FUNC_SMBUS_READ_I2C_BLOCK, "READ_I2C_BLOCK");
_Static_assert(CIMFW_I2C_FUNC_SMBUS_WRITE_I2C_BLOCK == I2C_FUNC_SMBUS_WRITE_I2C_BLOCK, "WRITE_I2C_BLOCK");
_Static_assert(CIMFW_I2C_RDWR_MAX_MSGS == I2C_RDWR_IOCTL_MAX_MSGS, "I2C_RDWR_IOCTL_MAX_MSGS");
_Static_assert(CIMFW_I2C_SMBUS_BLOCK_MAX == I2C_SMBUS_BLOCK_MAX, "I2C_SMBUS_BLOCK_MAX");

/// -errno of the call that just failed; -EIO if a library failed without
/// setting errno, so a failure is never reported as success.
static int negative_errno(void) {
    return errno > 0 ? -errno : -EIO;
}

// ---------------------------------------------------------------- i2c-dev

int cimfw_i2c_funcs(int fd, unsigned long *funcs) {
    if (funcs == NULL) return -EINVAL;
    return ioctl(fd, I2C_FUNCS, funcs) < 0 ? negative_errno() : 0;
}

int cimfw_i2c_set_address(int fd, uint16_t address, int force) {
    // The argument is passed by value (an unsigned long), not by pointer.
    unsigned long value = address;
    return ioctl(fd, force ? I2C_SLAVE_FORCE : I2C_SLAVE, value) < 0 ? negative_errno() : 0;
}

int cimfw_i2c_rdwr(int fd, uint16_t address, unsigned count,
                   const uint8_t *is_read, const uint16_t *lengths, uint8_t *data) {
    if (count == 0 || count > I2C_RDWR_IOCTL_MAX_MSGS || is_read == NULL || lengths == NULL)
        return -EINVAL;
    struct i2c_msg messages[I2C_RDWR_IOCTL_MAX_MSGS];
    size_t offset = 0;
    for (unsigned i = 0; i < count; i++) {
        messages[i].addr = address;
        messages[i].flags = is_read[i] ? I2C_M_RD : 0;
        messages[i].len = lengths[i];
        // A zero-length message still needs a non-NULL buffer for the kernel's copy.
        messages[i].buf = data + offset;
        offset += lengths[i];
    }
    if (offset > 0 && data == NULL) return -EINVAL;
    struct i2c_rdwr_ioctl_data request = { .msgs = messages, .nmsgs = count };
    return ioctl(fd, I2C_RDWR, &request) < 0 ? negative_errno() : 0;
}

// libi2c 4.x returns -errno itself (i2c_smbus_access); older versions
// returned -1 with errno set. Read errno first so both work.
static int smbus_result(__s32 result) {
    if (result >= 0) return result;
    return errno > 0 ? -errno : (int)result;
}

int cimfw_i2c_smbus_write_byte(int fd, uint8_t value) {
    errno = 0;
    int r = smbus_result(i2c_smbus_write_byte(fd, value));
    return r < 0 ? r : 0;
}

int cimfw_i2c_smbus_write_byte_data(int fd, uint8_t command, uint8_t value) {
    errno = 0;
    int r = smbus_result(i2c_smbus_write_byte_data(fd, command, value));
    return r < 0 ? r : 0;
}

int cimfw_i2c_smbus_write_i2c_block(int fd, uint8_t command, uint8_t length, const uint8_t *values) {
    if (length == 0 || length > I2C_SMBUS_BLOCK_MAX || values == NULL) return -EINVAL;
    errno = 0;
    int r = smbus_result(i2c_smbus_write_i2c_block_data(fd, command, length, values));
    return r < 0 ? r : 0;
}

int cimfw_i2c_smbus_read_byte(int fd, uint8_t *value) {
    if (value == NULL) return -EINVAL;
    errno = 0;
    int r = smbus_result(i2c_smbus_read_byte(fd));
    if (r < 0) return r;
    *value = (uint8_t)r;
    return 0;
}

int cimfw_i2c_smbus_read_byte_data(int fd, uint8_t command, uint8_t *value) {
    if (value == NULL) return -EINVAL;
    errno = 0;
    int r = smbus_result(i2c_smbus_read_byte_data(fd, command));
    if (r < 0) return r;
    *value = (uint8_t)r;
    return 0;
}

int cimfw_i2c_smbus_read_word_data(int fd, uint8_t command, uint16_t *value) {
    if (value == NULL) return -EINVAL;
    errno = 0;
    int r = smbus_result(i2c_smbus_read_word_data(fd, command));
    if (r < 0) return r;
    *value = (uint16_t)r;
    return 0;
}

int cimfw_i2c_smbus_write_word_data(int fd, uint8_t command, uint16_t value) {
    errno = 0;
    return smbus_result(i2c_smbus_write_word_data(fd, command, value));
}

int cimfw_i2c_smbus_read_i2c_block(int fd, uint8_t command, uint8_t length, uint8_t *values) {
    if (length == 0 || length > I2C_SMBUS_BLOCK_MAX || values == NULL) return -EINVAL;
    errno = 0;
    return smbus_result(i2c_smbus_read_i2c_block_data(fd, command, length, values));
}

// ---------------------------------------------------------------- libgpiod

int cimfw_gpiod_api_version(void) {
#ifdef GPIOD_LINE_BULK_MAX_LINES
    return 1;
#else
    return 2;
#endif
}

struct cimfw_gpio_chip {
    struct gpiod_chip *chip;
};

int cimfw_gpio_chip_open(const char *path, cimfw_gpio_chip **out) {
    if (path == NULL || out == NULL) return -EINVAL;
    *out = NULL;
    struct cimfw_gpio_chip *handle = calloc(1, sizeof *handle);
    if (handle == NULL) return -ENOMEM;
    errno = 0;
    // Both APIs have gpiod_chip_open(path) and set errno on failure.
    handle->chip = gpiod_chip_open(path);
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
    gpiod_chip_close(chip->chip);
    free(chip);
}

int cimfw_gpio_chip_label(cimfw_gpio_chip *chip, char *buffer, size_t size) {
    if (chip == NULL || buffer == NULL || size == 0) return -EINVAL;
#ifdef GPIOD_LINE_BULK_MAX_LINES
    const char *label = gpiod_chip_label(chip->chip);
    snprintf(buffer, size, "%s", label ? label : "");
    return 0;
#else
    errno = 0;
    struct gpiod_chip_info *info = gpiod_chip_get_info(chip->chip);
    if (info == NULL) return negative_errno();
    const char *label = gpiod_chip_info_get_label(info);
    snprintf(buffer, size, "%s", label ? label : "");
    gpiod_chip_info_free(info);
    return 0;
#endif
}

int cimfw_gpio_chip_num_lines(cimfw_gpio_chip *chip) {
    if (chip == NULL) return -EINVAL;
#ifdef GPIOD_LINE_BULK_MAX_LINES
    return (int)gpiod_chip_num_lines(chip->chip);
#else
    errno = 0;
    struct gpiod_chip_info *info = gpiod_chip_get_info(chip->chip);
    if (info == NULL) return negative_errno();
    int count = (int)gpiod_chip_info_get_num_lines(info);
    gpiod_chip_info_free(info);
    return count;
#endif
}

int cimfw_gpio_chip_open_by_label(const char *label, cimfw_gpio_chip **out) {
    if (label == NULL || out == NULL) return -EINVAL;
    *out = NULL;
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
#ifdef GPIOD_LINE_BULK_MAX_LINES
    struct gpiod_line *line = gpiod_chip_find_line(chip->chip, name);
    if (line == NULL) return errno > 0 ? -errno : -ENOENT;
    return (int)gpiod_line_offset(line);
#else
    int offset = gpiod_chip_get_line_offset_from_name(chip->chip, name);
    if (offset < 0) return errno > 0 ? -errno : -ENOENT;
    return offset;
#endif
}

#ifdef GPIOD_LINE_BULK_MAX_LINES
// ---- v1: a requested line is the chip's struct gpiod_line; the chip owns it.

struct cimfw_gpio_line {
    struct gpiod_line *line;
};

static int v1_line(cimfw_gpio_chip *chip, unsigned offset, cimfw_gpio_line **out,
                   struct gpiod_line **line) {
    if (chip == NULL || out == NULL) return -EINVAL;
    *out = NULL;
    errno = 0;
    *line = gpiod_chip_get_line(chip->chip, offset);
    return *line == NULL ? negative_errno() : 0;
}

static int v1_wrap(struct gpiod_line *line, cimfw_gpio_line **out) {
    struct cimfw_gpio_line *handle = calloc(1, sizeof *handle);
    if (handle == NULL) {
        gpiod_line_release(line);
        return -ENOMEM;
    }
    handle->line = line;
    *out = handle;
    return 0;
}

int cimfw_gpio_request_output(cimfw_gpio_chip *chip, unsigned offset, const char *consumer,
                              int initial, cimfw_gpio_line **out) {
    struct gpiod_line *line = NULL;
    int err = v1_line(chip, offset, out, &line);
    if (err < 0) return err;
    errno = 0;
    if (gpiod_line_request_output(line, consumer, initial ? 1 : 0) < 0) return negative_errno();
    return v1_wrap(line, out);
}

int cimfw_gpio_request_both_edges(cimfw_gpio_chip *chip, unsigned offset, const char *consumer,
                                  cimfw_gpio_line **out) {
    struct gpiod_line *line = NULL;
    int err = v1_line(chip, offset, out, &line);
    if (err < 0) return err;
    errno = 0;
    // uAPI v1 cannot choose the event clock: the kernel stamps
    // CLOCK_MONOTONIC since Linux 5.7, CLOCK_REALTIME before.
    if (gpiod_line_request_both_edges_events(line, consumer) < 0) return negative_errno();
    return v1_wrap(line, out);
}

int cimfw_gpio_set_value(cimfw_gpio_line *line, int value) {
    if (line == NULL) return -EINVAL;
    errno = 0;
    return gpiod_line_set_value(line->line, value ? 1 : 0) < 0 ? negative_errno() : 0;
}

int cimfw_gpio_get_value(cimfw_gpio_line *line) {
    if (line == NULL) return -EINVAL;
    errno = 0;
    int value = gpiod_line_get_value(line->line);
    return value < 0 ? negative_errno() : (value ? 1 : 0);
}

int cimfw_gpio_wait_edge(cimfw_gpio_line *line, int64_t timeout_ns) {
    if (line == NULL || timeout_ns < 0) return -EINVAL;
    struct timespec timeout = {
        .tv_sec = (time_t)(timeout_ns / 1000000000),
        .tv_nsec = (long)(timeout_ns % 1000000000),
    };
    errno = 0;
    int r = gpiod_line_event_wait(line->line, &timeout);
    return r < 0 ? negative_errno() : (r > 0 ? 1 : 0);
}

int cimfw_gpio_read_edge(cimfw_gpio_line *line, uint64_t *timestamp_ns, int *rising) {
    if (line == NULL || timestamp_ns == NULL || rising == NULL) return -EINVAL;
    struct gpiod_line_event event;
    errno = 0;
    if (gpiod_line_event_read(line->line, &event) < 0) return negative_errno();
    *timestamp_ns = (uint64_t)event.ts.tv_sec * 1000000000u + (uint64_t)event.ts.tv_nsec;
    *rising = event.event_type == GPIOD_LINE_EVENT_RISING_EDGE;
    return 0;
}

void cimfw_gpio_release(cimfw_gpio_line *line) {
    if (line == NULL) return;
    gpiod_line_release(line->line);
    free(line);
}

#else
// ---- v2: a requested line is a one-line struct gpiod_line_request, which
// does not depend on the chip handle staying open.

struct cimfw_gpio_line {
    struct gpiod_line_request *request;
    unsigned int offset;
    struct gpiod_edge_event_buffer *events; // NULL for outputs
};

static int v2_request(cimfw_gpio_chip *chip, unsigned offset, const char *consumer,
                      int output, int initial, cimfw_gpio_line **out) {
    if (chip == NULL || out == NULL) return -EINVAL;
    *out = NULL;
    int err = 0;
    struct cimfw_gpio_line *handle = calloc(1, sizeof *handle);
    struct gpiod_line_settings *settings = gpiod_line_settings_new();
    struct gpiod_line_config *line_config = gpiod_line_config_new();
    struct gpiod_request_config *request_config = gpiod_request_config_new();
    if (handle == NULL || settings == NULL || line_config == NULL || request_config == NULL) {
        err = -ENOMEM;
        goto done;
    }
    errno = 0;
    if (output) {
        if (gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_OUTPUT) < 0
            || gpiod_line_settings_set_output_value(settings, initial ? GPIOD_LINE_VALUE_ACTIVE
                                                                      : GPIOD_LINE_VALUE_INACTIVE) < 0) {
            err = negative_errno();
            goto done;
        }
    } else {
        // Monotonic is v2's default; say so, so that edges share a time base
        // with clock_gettime(CLOCK_MONOTONIC) on the host.
        if (gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_INPUT) < 0
            || gpiod_line_settings_set_edge_detection(settings, GPIOD_LINE_EDGE_BOTH) < 0
            || gpiod_line_settings_set_event_clock(settings, GPIOD_LINE_CLOCK_MONOTONIC) < 0) {
            err = negative_errno();
            goto done;
        }
        handle->events = gpiod_edge_event_buffer_new(1);
        if (handle->events == NULL) {
            err = -ENOMEM;
            goto done;
        }
    }
    unsigned int offsets[1] = { offset };
    if (gpiod_line_config_add_line_settings(line_config, offsets, 1, settings) < 0) {
        err = negative_errno();
        goto done;
    }
    if (consumer != NULL) gpiod_request_config_set_consumer(request_config, consumer);
    errno = 0;
    handle->request = gpiod_chip_request_lines(chip->chip, request_config, line_config);
    if (handle->request == NULL) {
        err = negative_errno();
        goto done;
    }
    handle->offset = offset;
    *out = handle;
    handle = NULL;
done:
    if (handle != NULL) {
        if (handle->events != NULL) gpiod_edge_event_buffer_free(handle->events);
        free(handle);
    }
    if (request_config != NULL) gpiod_request_config_free(request_config);
    if (line_config != NULL) gpiod_line_config_free(line_config);
    if (settings != NULL) gpiod_line_settings_free(settings);
    return err;
}

int cimfw_gpio_request_output(cimfw_gpio_chip *chip, unsigned offset, const char *consumer,
                              int initial, cimfw_gpio_line **out) {
    return v2_request(chip, offset, consumer, 1, initial, out);
}

int cimfw_gpio_request_both_edges(cimfw_gpio_chip *chip, unsigned offset, const char *consumer,
                                  cimfw_gpio_line **out) {
    return v2_request(chip, offset, consumer, 0, 0, out);
}

int cimfw_gpio_set_value(cimfw_gpio_line *line, int value) {
    if (line == NULL) return -EINVAL;
    errno = 0;
    enum gpiod_line_value v = value ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE;
    return gpiod_line_request_set_value(line->request, line->offset, v) < 0 ? negative_errno() : 0;
}

int cimfw_gpio_get_value(cimfw_gpio_line *line) {
    if (line == NULL) return -EINVAL;
    errno = 0;
    enum gpiod_line_value v = gpiod_line_request_get_value(line->request, line->offset);
    if (v == GPIOD_LINE_VALUE_ERROR) return negative_errno();
    return v == GPIOD_LINE_VALUE_ACTIVE ? 1 : 0;
}

int cimfw_gpio_wait_edge(cimfw_gpio_line *line, int64_t timeout_ns) {
    // A negative timeout would block forever in v2; the Swift API never asks for that.
    if (line == NULL || line->events == NULL || timeout_ns < 0) return -EINVAL;
    errno = 0;
    int r = gpiod_line_request_wait_edge_events(line->request, timeout_ns);
    return r < 0 ? negative_errno() : (r > 0 ? 1 : 0);
}

int cimfw_gpio_read_edge(cimfw_gpio_line *line, uint64_t *timestamp_ns, int *rising) {
    if (line == NULL || line->events == NULL || timestamp_ns == NULL || rising == NULL) return -EINVAL;
    errno = 0;
    int count = gpiod_line_request_read_edge_events(line->request, line->events, 1);
    if (count < 0) return negative_errno();
    if (count == 0) return -EAGAIN;
    struct gpiod_edge_event *event = gpiod_edge_event_buffer_get_event(line->events, 0);
    if (event == NULL) return -EIO;
    *timestamp_ns = gpiod_edge_event_get_timestamp_ns(event);
    *rising = gpiod_edge_event_get_event_type(event) == GPIOD_EDGE_EVENT_RISING_EDGE;
    return 0;
}

void cimfw_gpio_release(cimfw_gpio_line *line) {
    if (line == NULL) return;
    gpiod_line_request_release(line->request);
    if (line->events != NULL) gpiod_edge_event_buffer_free(line->events);
    free(line);
}
#endif
