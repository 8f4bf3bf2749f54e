/*
 * The protobuf messages of mosh 1.4 (doc/PROTOCOL.md §4), encoded and decoded with
 * protobuf-c from the .proto files in src/proto:
 *  - TransportBuffers.Instruction, the SSP envelope (msg_instruction_*);
 *  - ClientBuffers.UserMessage, client→server diffs: keystrokes and resizes;
 *  - HostBuffers.HostMessage, server→client diffs: terminal bytes, resizes,
 *    echo acks.
 * Encoders write exactly what mosh 1.4 writes (every Instruction field, in
 * field order). Decoders accept any bytes: garbage gives ERR_INVAL, never a
 * crash. An inner instruction carrying several extensions is reported as the
 * first present in mosh's priority order (client: hostbytes, resize, echoack;
 * server: keystroke, resize), then ours (hello, notice: doc/PROTOCOL.md,
 * "Extensions"); one with none is reported as kind NONE, which receivers skip.
 *
 * Memory bound: protobuf-c allocates for every field it parses (a submessage,
 * or an unknown field kept for re-serialisation), about 100 bytes for a 2-byte
 * empty instruction, so 4 MiB of them would take hundreds of MB. Before
 * unpacking, decoders count the fields on the wire (in the message and in the
 * submessages protobuf-c would unpack) and refuse more than MSG_FIELDS_MAX
 * with ERR_RANGE. mosh 1.4 merges consecutive keystrokes into one instruction
 * and sends a handful per frame, so a real message is far below it.
 *
 * Ownership: encoders read borrowed pointers for the duration of the call.
 * Decoders fill a struct whose pointers are owned by the struct itself and
 * stay valid until its *_release() (which is safe to call twice, and after a
 * failed decode).
 */
#ifndef MOSHC_NET_MSG_H
#define MOSHC_NET_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* At most this many fields (all nesting levels) in one decoded message. */
#define MSG_FIELDS_MAX 65536u

struct msg_instruction {
	uint32_t protocol_version; /* decode: as received (always 2); encode writes 2 */
	uint64_t old_num;
	uint64_t new_num;
	uint64_t ack_num;
	uint64_t throwaway_num;
	const uint8_t *diff; /* serialized UserMessage or HostMessage; may be empty */
	size_t diff_len;
	const uint8_t *chaff; /* 0..16 random bytes, ignored by receivers */
	size_t chaff_len;
	void *priv_; /* decode: the owning protobuf message */
};

/* out is replaced by the serialization (all seven fields, version 2). */
void msg_instruction_encode(const struct msg_instruction *in, struct buf *out);
/*
 * Parse an Instruction. 0; ERR_INVAL if the bytes are not a protobuf
 * Instruction; ERR_RANGE above MSG_FIELDS_MAX fields; ERR_PROTO if
 * protocol_version != 2 (nothing to release then).
 */
int msg_instruction_decode(const uint8_t *data, size_t len, struct msg_instruction *out);
void msg_instruction_release(struct msg_instruction *in);

enum msg_user_kind {
	MSG_USER_NONE = 0,      /* no known extension: skip */
	MSG_USER_KEYS = 2,      /* Keystroke.keys (field 2) */
	MSG_USER_RESIZE = 3,    /* ResizeMessage (field 3) */
	MSG_USER_HELLO = 40,    /* mosh-c: Hello (field 40) */
	MSG_USER_CHANNELS = 44, /* mosh-c: a serialized Channels (field 44) */
};

struct msg_user_event {
	enum msg_user_kind kind;
	const uint8_t *keys; /* KEYS: the bytes, no charset meaning */
	size_t keys_len;
	int32_t width,
	    height;       /* RESIZE: as received (0 if absent); the receiver must reject <= 0 */
	uint32_t version; /* HELLO */
	uint64_t features;
	const uint8_t *chans; /* CHANNELS: for msg_chans_decode() */
	size_t chans_len;
};

struct msg_user {
	struct msg_user_event *events;
	size_t n_events;
	void *priv_;
};

/* out is replaced by the UserMessage with one inner Instruction per event (NONE events skipped). */
void msg_user_encode(const struct msg_user_event *events, size_t n, struct buf *out);
/* 0; ERR_INVAL if the bytes are not a UserMessage; ERR_RANGE above MSG_FIELDS_MAX fields. */
int msg_user_decode(const uint8_t *data, size_t len, struct msg_user *out);
void msg_user_release(struct msg_user *u);

enum msg_host_kind {
	MSG_HOST_NONE = 0,      /* no known extension: skip */
	MSG_HOST_BYTES = 2,     /* HostBytes.hoststring (field 2) */
	MSG_HOST_RESIZE = 3,    /* ResizeMessage (field 3) */
	MSG_HOST_ECHOACK = 7,   /* EchoAck.echo_ack_num (field 7) */
	MSG_HOST_HELLO = 40,    /* mosh-c: Hello (field 40) */
	MSG_HOST_NOTICE = 41,   /* mosh-c: Notice (field 41) */
	MSG_HOST_HISTORY = 42,  /* mosh-c: History (field 42) */
	MSG_HOST_SCREEN = 43,   /* mosh-c: Screen (field 43) */
	MSG_HOST_CHANNELS = 44, /* mosh-c: a serialized Channels in bytes (field 44) */
};

/* One run of history rows of one width: count rows, drawn by `rows` (a
 * hoststring for a blank width×count terminal) as lines first_line... */
struct msg_history_chunk {
	uint64_t first_line;
	uint32_t width, count;
	const uint8_t *rows;
	size_t rows_len;
};

struct msg_host_event {
	enum msg_host_kind kind;
	const uint8_t *bytes; /* BYTES: terminal output; NOTICE: its text; CHANNELS */
	size_t bytes_len;
	int32_t width, height;                  /* RESIZE: as received (0 if absent) */
	uint64_t echo_ack;                      /* ECHOACK */
	uint32_t version;                       /* HELLO */
	uint64_t features;                      /* HELLO */
	uint32_t notice;                        /* NOTICE: its kind */
	uint64_t hist_end;                      /* HISTORY: lines published, one past the last */
	const struct msg_history_chunk *chunks; /* HISTORY */
	size_t n_chunks;
	bool alternate; /* SCREEN */
};

struct msg_host {
	struct msg_host_event *events;
	size_t n_events;
	struct msg_history_chunk *chunks_; /* owned: what HISTORY events point into */
	void *priv_;
};

/* out is replaced by the HostMessage with one inner Instruction per event (NONE events skipped). */
void msg_host_encode(const struct msg_host_event *events, size_t n, struct buf *out);
/* 0; ERR_INVAL if the bytes are not a HostMessage; ERR_RANGE above MSG_FIELDS_MAX fields. */
int msg_host_decode(const uint8_t *data, size_t len, struct msg_host *out);
void msg_host_release(struct msg_host *h);

/*
 * mosh-c's Channels message (doc/PROTOCOL.md 15.10), the payload of field 44
 * in both directions. Absent optional fields decode as 0 / NULL / false;
 * text fields are raw bytes for the caller to check.
 */
struct msg_chan {
	uint32_t id;
	uint32_t kind;  /* 0: absent */
	uint32_t reply; /* 0: absent */
	bool has_target, has_reason, has_data, has_consumed, fin, gone;
	const uint8_t *target, *reason, *data;
	size_t target_len, reason_len, data_len;
	uint64_t offset, consumed;
};

struct msg_chan_req {
	uint32_t id, kind, port, status; /* 0: absent */
	bool has_bind, has_reason;
	const uint8_t *bind, *reason;
	size_t bind_len, reason_len;
};

struct msg_chans {
	struct msg_chan *chans;
	size_t n_chans;
	struct msg_chan_req *reqs;
	size_t n_reqs;
	void *priv_;
};

/* out is replaced by the serialized Channels message. */
void msg_chans_encode(const struct msg_chans *in, struct buf *out);
/* 0; ERR_INVAL if not a Channels message; ERR_RANGE above MSG_FIELDS_MAX fields. */
int msg_chans_decode(const uint8_t *data, size_t len, struct msg_chans *out);
void msg_chans_release(struct msg_chans *c);

#endif
