/*
 * Every constant of the mosh 1.4 wire format, with its value spelled out.
 * The section numbers (§N.M) refer to doc/PROTOCOL.md; change nothing here
 * without changing the spec first, since a real mosh peer depends on each of
 * these.
 */
#ifndef MOSHC_NET_WIRE_H
#define MOSHC_NET_WIRE_H

#include <stdint.h>

/* §4.1: Instruction.protocol_version, unchanged since mosh 1.0. */
#define WIRE_PROTOCOL_VERSION 2u

/* §1.1 datagram: nonce tail(8) | ciphertext(L) | tag(16); plaintext = ts(2) ts_reply(2) frag. */
#define WIRE_NONCE_LEN 8u          /* clear sequence number + direction bit */
#define WIRE_OCB_NONCE_LEN 12u     /* 4 zero bytes followed by the 8 clear bytes (§1.2) */
#define WIRE_TAG_LEN 16u           /* OCB tag, appended to the ciphertext (§1.3) */
#define WIRE_TIMESTAMPS_LEN 4u     /* timestamp + timestamp_reply, big-endian u16 each */
#define WIRE_MIN_DATAGRAM 24u      /* nonce + tag: anything shorter is dropped */
#define WIRE_MIN_PLAINTEXT 4u      /* the two timestamps */
#define WIRE_RECEIVE_MTU 2048u     /* larger datagrams are dropped; we never send one */
#define WIRE_DATAGRAM_OVERHEAD 28u /* nonce 8 + timestamps 4 + tag 16 (§1.7) */

/* §1.2: bit 63 of the clear nonce is the direction, bits 62..0 the sequence number. */
#define WIRE_DIRECTION_BIT (UINT64_C(1) << 63)
#define WIRE_SEQ_MASK (WIRE_DIRECTION_BIT - 1)

/* §1.3: a key seals at most 2^47 16-byte blocks. */
#define WIRE_OCB_BLOCK_LIMIT (UINT64_C(1) << 47)

/* §1.4: 16 key bytes, printed as 22 base64 characters without the "==". */
#define WIRE_KEY_LEN 16u
#define WIRE_KEY_TEXT_LEN 22u

/* §1.5 timestamps. */
#define WIRE_TS_NONE 0xFFFFu        /* "absent" in both timestamp fields */
#define WIRE_TS_REPLY_HOLD_MS 1000u /* a saved timestamp older than this is not echoed */
#define WIRE_CE_PENALTY_MS 500u     /* subtracted from a saved timestamp on ECN CE */

/* §1.6 RTT estimation (milliseconds). */
#define WIRE_RTT_SAMPLE_MAX_MS 5000u /* samples >= this are ignored */
#define WIRE_SRTT_INIT_MS 1000.0
#define WIRE_RTTVAR_INIT_MS 500.0
#define WIRE_MIN_RTO_MS 50u
#define WIRE_MAX_RTO_MS 1000u

/* §1.7 MTU: path MTU 1280 minus IP+UDP overhead. */
#define WIRE_PATH_MTU 1280u
#define WIRE_IPV4_OVERHEAD 28u /* 20 IPv4 + 8 UDP */
#define WIRE_IPV6_OVERHEAD 64u /* 40 IPv6 + 16 extension headers + 8 UDP */
#define WIRE_MTU_IPV4 1252u
#define WIRE_MTU_IPV6 1216u
#define WIRE_MTU_DEFAULT 500u /* before the family is known, and after EMSGSIZE */

/* §1.8–§1.11 sockets, roaming, port hopping (used by net/conn). */
#define WIRE_PORT_RANGE_LOW 60001u
#define WIRE_PORT_RANGE_HIGH 60999u
#define WIRE_TOS_ECT0 0x02u
#define WIRE_SERVER_ASSOCIATION_TIMEOUT_MS 40000u
#define WIRE_PORT_HOP_INTERVAL_MS 10000u
#define WIRE_MAX_OLD_SOCKET_AGE_MS 60000u
#define WIRE_MAX_PORTS_OPEN 10u

/* §2 fragments: id(8) | final<<15 | number (2) | chunk. */
#define WIRE_FRAG_HEADER_LEN 10u
#define WIRE_FRAG_FINAL_BIT 0x8000u
#define WIRE_FRAG_MAX_NUM 32767u /* fragment numbers are 15 bits */
/* Largest chunk for a datagram MTU: 1214 (IPv4), 1178 (IPv6), 462 (fallback). */
#define WIRE_FRAG_CHUNK_MAX(mtu) ((mtu)-WIRE_DATAGRAM_OVERHEAD - WIRE_FRAG_HEADER_LEN)

/* §3: inflated instructions larger than 2048*2048 bytes are dropped. */
#define WIRE_INFLATE_MAX 4194304u
/*
 * Our own bound on a reassembled (still compressed) instruction. zlib cannot
 * expand data by more than a few bytes per 16 KiB block, so no instruction that
 * inflates to at most WIRE_INFLATE_MAX needs more than this.
 */
#define WIRE_ASSEMBLY_MAX (WIRE_INFLATE_MAX + 65536u)

/* §5: the reserved state number of the shutdown handshake; chaff is 0..16 bytes. */
#define WIRE_STATE_SHUTDOWN UINT64_MAX
#define WIRE_CHAFF_MAX 16u

/*
 * mosh-c's extensions (doc/PROTOCOL.md, "Extensions"): fields 40-63 of both
 * inner Instruction messages. A mosh 1.4 peer skips them; we send the host
 * side's only to a client whose hello we have received.
 */
#define WIRE_EXT_HELLO 40u    /* both directions: version and feature bits */
#define WIRE_EXT_NOTICE 41u   /* server to client: why the link is ending */
#define WIRE_EXT_HISTORY 42u  /* server to client: rows scrolled off the screen */
#define WIRE_EXT_SCREEN 43u   /* server to client: which screen buffer shows */
#define WIRE_EXT_CHANNELS 44u /* both directions: forwarded channels (Channels message) */
#define WIRE_MOSHC_VERSION 1u
/* Feature bits of a hello. */
#define WIRE_FEATURE_NOTICE (UINT64_C(1) << 0)     /* understands field 41 */
#define WIRE_FEATURE_SCROLLBACK (UINT64_C(1) << 1) /* wants fields 42 and 43 */
/* Client: its emulator keeps faint, strikethrough, underline styles and
 * colour (SGR 2, 9, 4:n, 58): the server's hoststrings may use them.
 * Server: it sends them to such a client. */
#define WIRE_FEATURE_RENDITIONS (UINT64_C(1) << 2)
/* Both: speaks field 44, forwarded channels (agent, TCP ports). */
#define WIRE_FEATURE_CHANNELS (UINT64_C(1) << 3)
/* History chunks: rows per chunk, and rows (all chunks) per diff, at most. */
#define WIRE_HISTORY_CHUNK_ROWS 256u
#define WIRE_HISTORY_DIFF_ROWS 4096u
#define WIRE_HISTORY_DIFF_CELLS 1048576u /* and cells per diff */
/* Notice kinds, and the longest notice text accepted. */
#define WIRE_NOTICE_ATTACHED 1u /* the session was attached from another client */
#define WIRE_NOTICE_KILLED 2u   /* mosh-server kill ended the session */
#define WIRE_NOTICE_EXITED 3u   /* the session's command exited; text: its status, "0".."255" */
#define WIRE_NOTICE_TEXT_MAX 128u

#endif
