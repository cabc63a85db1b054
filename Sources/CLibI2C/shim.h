// libi2c (Debian libi2c-dev, i2c-tools 4.x): SMBus helpers over i2c-dev.
#include <linux/i2c.h>
#include <linux/i2c-dev.h>
#include <i2c/smbus.h>
