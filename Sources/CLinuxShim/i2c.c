// CIMLinux's C side for i2c-dev: ioctls and libi2c SMBus calls (libgpiod is
// libgpiod.c). Conventions are in include/CLinuxShim.h (0 or -errno).

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
