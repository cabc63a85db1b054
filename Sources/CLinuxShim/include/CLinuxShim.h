#ifndef CLINUXSHIM_H
#define CLINUXSHIM_H

// The C side of CIMLinux. Swift cannot call the variadic ioctl(2), build
// kernel structs with embedded pointers comfortably, or load either of
// libgpiod's two APIs into one binary, so those pieces live here. Every function returns
// 0 (or a non-negative value where documented) on success and -errno on
// failure; none of them prints or aborts.
//
// This header deliberately includes no kernel or libgpiod header, so that
// Swift sees only these declarations (no second copy of <linux/i2c.h> next
// to CLibI2C's). i2c.c checks the constants below against the kernel's.

#include <stddef.h>
#include <stdint.h>

// ---------------------------------------------------------------- i2c-dev

/// Adapter functionality bits (I2C_FUNCS), same values as <linux/i2c.h>.
enum {
    CIMFW_I2C_FUNC_I2C = 0x00000001,
    CIMFW_I2C_FUNC_SMBUS_READ_BYTE = 0x00020000,
    CIMFW_I2C_FUNC_SMBUS_WRITE_BYTE = 0x00040000,
    CIMFW_I2C_FUNC_SMBUS_READ_BYTE_DATA = 0x00080000,
    CIMFW_I2C_FUNC_SMBUS_WRITE_BYTE_DATA = 0x00100000,
    CIMFW_I2C_FUNC_SMBUS_READ_WORD_DATA = 0x00200000,
    CIMFW_I2C_FUNC_SMBUS_WRITE_WORD_DATA = 0x00400000,
    CIMFW_I2C_FUNC_SMBUS_READ_I2C_BLOCK = 0x04000000,
    CIMFW_I2C_FUNC_SMBUS_WRITE_I2C_BLOCK = 0x08000000,
};

/// Most messages one I2C_RDWR accepts (I2C_RDWR_IOCTL_MAX_MSGS).
enum { CIMFW_I2C_RDWR_MAX_MSGS = 42 };
/// Largest SMBus I2C-block payload (I2C_SMBUS_BLOCK_MAX).
enum { CIMFW_I2C_SMBUS_BLOCK_MAX = 32 };

/// ioctl(fd, I2C_FUNCS, funcs).
int cimfw_i2c_funcs(int fd, unsigned long *funcs);

/// ioctl(fd, I2C_SLAVE or, when force != 0, I2C_SLAVE_FORCE, address).
int cimfw_i2c_set_address(int fd, uint16_t address, int force);

/// One I2C_RDWR ioctl: `count` messages to `address`. Message i is a read
/// when is_read[i] != 0, and has lengths[i] bytes. `data` holds every
/// message's bytes back to back, in order: write bytes are taken from it,
/// read bytes are stored into it. -EINVAL for count 0 or over
/// CIMFW_I2C_RDWR_MAX_MSGS.
int cimfw_i2c_rdwr(int fd, uint16_t address, unsigned count,
                   const uint8_t *is_read, const uint16_t *lengths, uint8_t *data);

/// libi2c SMBus calls, with the same -errno convention. The block calls take
/// 1...CIMFW_I2C_SMBUS_BLOCK_MAX bytes; the block read returns the count read.
int cimfw_i2c_smbus_write_byte(int fd, uint8_t value);
int cimfw_i2c_smbus_write_byte_data(int fd, uint8_t command, uint8_t value);
int cimfw_i2c_smbus_write_i2c_block(int fd, uint8_t command, uint8_t length, const uint8_t *values);
int cimfw_i2c_smbus_read_byte(int fd, uint8_t *value);
int cimfw_i2c_smbus_read_byte_data(int fd, uint8_t command, uint8_t *value);
int cimfw_i2c_smbus_read_i2c_block(int fd, uint8_t command, uint8_t length, uint8_t *values);
/// SMBus words as SMBus defines them: low byte first on the wire.
int cimfw_i2c_smbus_read_word_data(int fd, uint8_t command, uint16_t *value);
int cimfw_i2c_smbus_write_word_data(int fd, uint8_t command, uint16_t value);

// ---------------------------------------------------------------- libgpiod

/// Loads libgpiod on first use (libgpiod.c says why at run time) and returns
/// its API version: 2 (libgpiod.so.3), 1 (libgpiod.so.2), or -ELIBACC when
/// no library could be loaded. $CIMFW_LIBGPIOD, when set, names the only
/// library tried. Every chip call below fails with that -ELIBACC.
int cimfw_gpiod_api_version(void);
/// The library loaded ("libgpiod.so.3", or $CIMFW_LIBGPIOD), or when none
/// was, the loader's reasons. Loads as cimfw_gpiod_api_version does.
const char *cimfw_gpiod_library(void);

/// An open GPIO chip (v1: struct gpiod_chip; v2: struct gpiod_chip).
typedef struct cimfw_gpio_chip cimfw_gpio_chip;
/// One requested line (v1: struct gpiod_line; v2: a one-line
/// struct gpiod_line_request plus an event buffer).
typedef struct cimfw_gpio_line cimfw_gpio_line;

/// Opens a chip device by path ("/dev/gpiochip0").
int cimfw_gpio_chip_open(const char *path, cimfw_gpio_chip **out);
/// Opens the first /dev/gpiochip* whose label equals `label`
/// (-ENOENT if none; -EACCES if none matched and some could not be opened
/// for lack of permission).
int cimfw_gpio_chip_open_by_label(const char *label, cimfw_gpio_chip **out);
/// Copies the chip's label (NUL-terminated, truncated to size).
int cimfw_gpio_chip_label(cimfw_gpio_chip *chip, char *buffer, size_t size);
/// Number of lines on the chip (>= 0) or -errno.
int cimfw_gpio_chip_num_lines(cimfw_gpio_chip *chip);
/// Offset of the first line named `name` (>= 0), or -ENOENT.
int cimfw_gpio_chip_find_line(cimfw_gpio_chip *chip, const char *name);
/// Closes the chip. Under v1 this also releases every line requested from
/// it, so lines must be released first.
void cimfw_gpio_chip_close(cimfw_gpio_chip *chip);

/// Requests `offset` as a push-pull output driven to `initial` (0 or 1).
int cimfw_gpio_request_output(cimfw_gpio_chip *chip, unsigned offset, const char *consumer,
                              int initial, cimfw_gpio_line **out);
/// Requests `offset` as an input with rising and falling edge events,
/// timestamped on CLOCK_MONOTONIC where the kernel allows choosing.
int cimfw_gpio_request_both_edges(cimfw_gpio_chip *chip, unsigned offset, const char *consumer,
                                  cimfw_gpio_line **out);
int cimfw_gpio_set_value(cimfw_gpio_line *line, int value);
/// 0 or 1, or -errno.
int cimfw_gpio_get_value(cimfw_gpio_line *line);
/// Waits up to timeout_ns (>= 0) for an edge event: 1 ready, 0 timed out.
int cimfw_gpio_wait_edge(cimfw_gpio_line *line, int64_t timeout_ns);
/// Reads one queued edge event (blocks if none is queued).
int cimfw_gpio_read_edge(cimfw_gpio_line *line, uint64_t *timestamp_ns, int *rising);
/// Releases the line and frees the handle.
void cimfw_gpio_release(cimfw_gpio_line *line);

#endif
