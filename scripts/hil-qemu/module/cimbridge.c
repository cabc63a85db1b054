// SPDX-License-Identifier: GPL-2.0
/*
 * cimbridge: I2C adapters whose devices live in a user-space process.
 *
 * Two adapters are registered:
 *   "cimbridge-i2c"    plain I2C (master_xfer): I2C_RDWR and every SMBus call
 *                      the core emulates on top of it;
 *   "cimbridge-smbus"  SMBus only (smbus_xfer): quick, byte, byte data,
 *                      word data, I2C block; no I2C_RDWR, as on many
 *                      SoC and PCH controllers.
 * Every transfer on either adapter becomes one request on the character
 * device /dev/cimbridge: the messages as the wire would carry them (an
 * SMBus call is turned into the equivalent write/read messages), and the
 * process holding the device (`cimfw emulate`) answers with the bytes the
 * read messages return, or an errno (ENXIO for an address nobody answers).
 * No process, or no answer within `timeout_ms`, fails the transfer with
 * ENXIO or ETIMEDOUT respectively, so a dead emulator never hangs i2c-core.
 *
 * Request (read(2) returns exactly one, little-endian):
 *   struct cimbridge_request_header, then `count` struct cimbridge_message,
 *   then the write messages' bytes, concatenated in message order.
 * Reply (one write(2)):
 *   struct cimbridge_reply_header, then the read messages' bytes,
 *   concatenated in message order (absent when status is not 0).
 */
#include <linux/module.h>
#include <linux/i2c.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/mutex.h>
#include <linux/jiffies.h>

#define CIMBRIDGE_MAGIC		0x42494d43	/* "CMIB" little-endian: "CIMB" */
#define CIMBRIDGE_MAX_MESSAGES	42	/* I2C_RDWR_IOCTL_MAX_MSGS, i2c-dev.h */
#define CIMBRIDGE_MAX_BYTES	(64 * 1024)

struct cimbridge_request_header {
	__le32 magic;
	__le32 id;
	__le16 adapter;		/* 0: cimbridge-i2c, 1: cimbridge-smbus */
	__le16 count;		/* messages that follow */
	__le32 write_bytes;	/* bytes after the message table */
} __packed;

struct cimbridge_message {
	__le16 address;
	__le16 flags;		/* I2C_M_RD (0x0001), I2C_M_TEN ... as in i2c_msg */
	__le16 length;
	__le16 reserved;
} __packed;

struct cimbridge_reply_header {
	__le32 magic;
	__le32 id;
	__le32 status;		/* 0, or a positive errno */
} __packed;

static unsigned int timeout_ms = 2000;
module_param(timeout_ms, uint, 0644);
MODULE_PARM_DESC(timeout_ms, "How long a transfer waits for the user-space answer (ms)");

static unsigned int transfers, timeouts, unanswered;
module_param(transfers, uint, 0444);
module_param(timeouts, uint, 0444);
module_param(unanswered, uint, 0444);

enum request_state { IDLE, PENDING, TAKEN, ANSWERED };

static struct {
	struct mutex transfer_lock;	/* one transfer on the wire at a time */
	spinlock_t lock;		/* state, id, status, open */
	wait_queue_head_t to_user;
	wait_queue_head_t from_user;
	enum request_state state;
	bool open;
	u32 id;
	int status;
	u8 *request;			/* header + table + write bytes */
	size_t request_length;
	struct i2c_msg *msgs;		/* the transfer being served */
	int count;
} bridge;

static int forward(int adapter, struct i2c_msg *msgs, int num)
{
	struct cimbridge_request_header *h;
	struct cimbridge_message *m;
	size_t length, writes = 0;
	long left;
	u8 *p;
	int i, ret;

	if (num < 1 || num > CIMBRIDGE_MAX_MESSAGES)
		return -EINVAL;
	for (i = 0; i < num; i++) {
		if (msgs[i].flags & I2C_M_RECV_LEN)
			return -EOPNOTSUPP;	/* SMBus block reads: no device here uses them */
		if (!(msgs[i].flags & I2C_M_RD))
			writes += msgs[i].len;
	}
	length = sizeof(*h) + num * sizeof(*m) + writes;
	if (length > CIMBRIDGE_MAX_BYTES)
		return -EINVAL;

	mutex_lock(&bridge.transfer_lock);
	transfers++;
	spin_lock(&bridge.lock);
	if (!bridge.open) {
		spin_unlock(&bridge.lock);
		unanswered++;
		ret = -ENXIO;
		goto out;
	}
	spin_unlock(&bridge.lock);

	h = (void *)bridge.request;
	h->magic = cpu_to_le32(CIMBRIDGE_MAGIC);
	h->adapter = cpu_to_le16(adapter);
	h->count = cpu_to_le16(num);
	h->write_bytes = cpu_to_le32(writes);
	m = (void *)(h + 1);
	p = (u8 *)(m + num);
	for (i = 0; i < num; i++) {
		m[i].address = cpu_to_le16(msgs[i].addr);
		m[i].flags = cpu_to_le16(msgs[i].flags);
		m[i].length = cpu_to_le16(msgs[i].len);
		m[i].reserved = 0;
		if (!(msgs[i].flags & I2C_M_RD)) {
			memcpy(p, msgs[i].buf, msgs[i].len);
			p += msgs[i].len;
		}
	}

	spin_lock(&bridge.lock);
	bridge.id++;
	h->id = cpu_to_le32(bridge.id);
	bridge.request_length = length;
	bridge.msgs = msgs;
	bridge.count = num;
	bridge.status = 0;
	bridge.state = PENDING;
	spin_unlock(&bridge.lock);
	wake_up_interruptible(&bridge.to_user);

	left = wait_event_timeout(bridge.from_user, READ_ONCE(bridge.state) == ANSWERED || !READ_ONCE(bridge.open),
				  msecs_to_jiffies(timeout_ms));
	spin_lock(&bridge.lock);
	if (bridge.state == ANSWERED) {
		ret = bridge.status ? -bridge.status : num;
	} else if (!bridge.open) {
		unanswered++;
		ret = -ENXIO;
	} else {
		timeouts++;
		ret = -ETIMEDOUT;
	}
	bridge.state = IDLE;
	bridge.msgs = NULL;
	spin_unlock(&bridge.lock);
out:
	mutex_unlock(&bridge.transfer_lock);
	return ret;
}

static int bridge_master_xfer(struct i2c_adapter *adap, struct i2c_msg *msgs, int num)
{
	return forward(0, msgs, num);
}

/* An SMBus call as the messages it puts on the wire (SMBus 3.1 section 6.5). */
static int bridge_smbus_xfer(struct i2c_adapter *adap, u16 addr, unsigned short flags, char read_write,
			     u8 command, int size, union i2c_smbus_data *data)
{
	u8 out[I2C_SMBUS_BLOCK_MAX + 2], in[I2C_SMBUS_BLOCK_MAX + 2];
	struct i2c_msg msgs[2] = {
		{ .addr = addr, .flags = flags & I2C_M_TEN, .len = 1, .buf = out },
		{ .addr = addr, .flags = (flags & I2C_M_TEN) | I2C_M_RD, .buf = in },
	};
	bool reading = read_write == I2C_SMBUS_READ;
	int num = reading ? 2 : 1, ret, len;

	out[0] = command;
	switch (size) {
	case I2C_SMBUS_QUICK:
		msgs[0].len = 0;
		msgs[0].flags |= reading ? I2C_M_RD : 0;
		num = 1;
		break;
	case I2C_SMBUS_BYTE:
		if (reading) {
			msgs[0] = msgs[1];
			msgs[0].len = 1;
			num = 1;
		}
		break;
	case I2C_SMBUS_BYTE_DATA:
		if (reading) {
			msgs[1].len = 1;
		} else {
			msgs[0].len = 2;
			out[1] = data->byte;
		}
		break;
	case I2C_SMBUS_WORD_DATA:	/* low byte first on the wire */
		if (reading) {
			msgs[1].len = 2;
		} else {
			msgs[0].len = 3;
			out[1] = data->word & 0xff;
			out[2] = data->word >> 8;
		}
		break;
	case I2C_SMBUS_I2C_BLOCK_DATA:
		len = data->block[0];
		if (len < 1 || len > I2C_SMBUS_BLOCK_MAX)
			return -EINVAL;
		if (reading) {
			msgs[1].len = len;
		} else {
			msgs[0].len = len + 1;
			memcpy(out + 1, data->block + 1, len);
		}
		break;
	default:
		return -EOPNOTSUPP;
	}
	ret = forward(1, msgs, num);
	if (ret < 0)
		return ret;
	if (!reading)
		return 0;
	switch (size) {
	case I2C_SMBUS_BYTE:
		data->byte = msgs[0].buf[0];
		break;
	case I2C_SMBUS_BYTE_DATA:
		data->byte = in[0];
		break;
	case I2C_SMBUS_WORD_DATA:
		data->word = in[0] | in[1] << 8;
		break;
	case I2C_SMBUS_I2C_BLOCK_DATA:
		memcpy(data->block + 1, in, data->block[0]);
		break;
	}
	return 0;
}

static u32 functionality_i2c(struct i2c_adapter *a)
{
	return I2C_FUNC_I2C | I2C_FUNC_SMBUS_EMUL;
}

static u32 functionality_smbus(struct i2c_adapter *a)
{
	return I2C_FUNC_SMBUS_QUICK | I2C_FUNC_SMBUS_BYTE | I2C_FUNC_SMBUS_BYTE_DATA |
	       I2C_FUNC_SMBUS_WORD_DATA | I2C_FUNC_SMBUS_I2C_BLOCK;
}

static const struct i2c_algorithm algorithm_i2c = {
	.master_xfer = bridge_master_xfer,
	.functionality = functionality_i2c,
};
static const struct i2c_algorithm algorithm_smbus = {
	.smbus_xfer = bridge_smbus_xfer,
	.functionality = functionality_smbus,
};
static struct i2c_adapter adapter_i2c = {
	.owner = THIS_MODULE, .algo = &algorithm_i2c, .name = "cimbridge-i2c",
};
static struct i2c_adapter adapter_smbus = {
	.owner = THIS_MODULE, .algo = &algorithm_smbus, .name = "cimbridge-smbus",
};

/* ---- the character device the emulator holds ---- */

static int bridge_open(struct inode *inode, struct file *file)
{
	int ret = 0;

	spin_lock(&bridge.lock);
	if (bridge.open)
		ret = -EBUSY;	/* one emulator answers for the devices */
	else
		bridge.open = true;
	spin_unlock(&bridge.lock);
	return ret;
}

static int bridge_release(struct inode *inode, struct file *file)
{
	spin_lock(&bridge.lock);
	bridge.open = false;
	spin_unlock(&bridge.lock);
	wake_up(&bridge.from_user);
	return 0;
}

static ssize_t bridge_read(struct file *file, char __user *buf, size_t size, loff_t *ppos)
{
	size_t length;
	int ret;

	for (;;) {
		spin_lock(&bridge.lock);
		if (bridge.state == PENDING) {
			length = bridge.request_length;
			if (size < length) {
				spin_unlock(&bridge.lock);
				return -EMSGSIZE;
			}
			bridge.state = TAKEN;
			spin_unlock(&bridge.lock);
			/* the transfer lock's holder waits in forward(): the buffer stays put */
			if (copy_to_user(buf, bridge.request, length))
				return -EFAULT;
			return length;
		}
		spin_unlock(&bridge.lock);
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(bridge.to_user, READ_ONCE(bridge.state) == PENDING);
		if (ret)
			return ret;
	}
}

static ssize_t bridge_write(struct file *file, const char __user *buf, size_t size, loff_t *ppos)
{
	struct cimbridge_reply_header h;
	size_t expected = 0, offset;
	int i, status;
	u8 *data;

	if (size < sizeof(h) || size > sizeof(h) + CIMBRIDGE_MAX_BYTES)
		return -EINVAL;
	if (copy_from_user(&h, buf, sizeof(h)))
		return -EFAULT;
	if (le32_to_cpu(h.magic) != CIMBRIDGE_MAGIC)
		return -EINVAL;
	status = le32_to_cpu(h.status);
	if (status < 0 || status > MAX_ERRNO)
		return -EINVAL;
	data = kmalloc(size - sizeof(h) + 1, GFP_KERNEL);
	if (!data)
		return -ENOMEM;
	if (copy_from_user(data, buf + sizeof(h), size - sizeof(h))) {
		kfree(data);
		return -EFAULT;
	}

	spin_lock(&bridge.lock);
	/* an answer to a request that timed out, or to none, is stale */
	if (bridge.state != TAKEN || le32_to_cpu(h.id) != bridge.id) {
		spin_unlock(&bridge.lock);
		kfree(data);
		return -ESTALE;
	}
	if (status == 0) {
		for (i = 0; i < bridge.count; i++)
			if (bridge.msgs[i].flags & I2C_M_RD)
				expected += bridge.msgs[i].len;
		if (size - sizeof(h) != expected) {
			spin_unlock(&bridge.lock);
			kfree(data);
			return -EMSGSIZE;
		}
		for (i = 0, offset = 0; i < bridge.count; i++) {
			if (!(bridge.msgs[i].flags & I2C_M_RD))
				continue;
			memcpy(bridge.msgs[i].buf, data + offset, bridge.msgs[i].len);
			offset += bridge.msgs[i].len;
		}
	}
	bridge.status = status;
	bridge.state = ANSWERED;
	spin_unlock(&bridge.lock);
	kfree(data);
	wake_up(&bridge.from_user);
	return size;
}

static __poll_t bridge_poll(struct file *file, poll_table *wait)
{
	poll_wait(file, &bridge.to_user, wait);
	return READ_ONCE(bridge.state) == PENDING ? EPOLLIN | EPOLLRDNORM : 0;
}

static const struct file_operations bridge_fops = {
	.owner = THIS_MODULE,
	.open = bridge_open,
	.release = bridge_release,
	.read = bridge_read,
	.write = bridge_write,
	.poll = bridge_poll,
	.llseek = noop_llseek,
};

static struct miscdevice bridge_device = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "cimbridge",
	.fops = &bridge_fops,
	.mode = 0600,
};

static int __init cimbridge_init(void)
{
	int ret;

	mutex_init(&bridge.transfer_lock);
	spin_lock_init(&bridge.lock);
	init_waitqueue_head(&bridge.to_user);
	init_waitqueue_head(&bridge.from_user);
	bridge.request = kmalloc(CIMBRIDGE_MAX_BYTES, GFP_KERNEL);
	if (!bridge.request)
		return -ENOMEM;
	ret = misc_register(&bridge_device);
	if (ret)
		goto free;
	ret = i2c_add_adapter(&adapter_i2c);
	if (ret)
		goto misc;
	ret = i2c_add_adapter(&adapter_smbus);
	if (ret)
		goto i2c;
	return 0;
i2c:
	i2c_del_adapter(&adapter_i2c);
misc:
	misc_deregister(&bridge_device);
free:
	kfree(bridge.request);
	return ret;
}

static void __exit cimbridge_exit(void)
{
	i2c_del_adapter(&adapter_smbus);
	i2c_del_adapter(&adapter_i2c);
	misc_deregister(&bridge_device);
	kfree(bridge.request);
}

module_init(cimbridge_init);
module_exit(cimbridge_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("I2C adapters (plain and SMBus-only) whose devices are answered from user space");
