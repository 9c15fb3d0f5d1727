// nitrocard.h: the C ABI of libnitrocard.so, one Verilated nitro_card per nc_card.
//
// A thin ABI for P/Invoke (the C# side is driver/NitroCard.Driver/Interop): one prefix on
// every export, fixed-width integer types only, no global model state (any number of cards
// per process, each with its own VerilatedContext). Unless a function says otherwise it
// returns NC_OK (0) on success and a negative NC_E_* status on failure; after a failure
// nc_last_error() gives a message saying what went wrong.
//
// Threads: a card belongs to the thread that created it. Every call that evaluates the model
// or reads its queues from another thread returns NC_E_THREAD (and records no message: the
// status says it all). nc_cycle, nc_input_pending, nc_last_error and nc_destroy may be
// called from any thread, but never concurrently with another call on the same card.
//
// Fatal RTL events ($fatal, $error, $stop, $finish, Verilator's own fatal errors such as a
// combinational loop that does not converge) never end the process: the card is marked
// dead, the message is kept for nc_last_error, and every later call that would evaluate the
// model returns NC_E_FATAL. Only nc_destroy is useful on a dead card.
//
// Time: one cycle is one rising edge of clk. The cycle counter starts at 0 and counts every
// rising edge since nc_create, including reset cycles and CSR accesses.
#ifndef NITROCARD_H_
#define NITROCARD_H_

#include <stdint.h>

#if defined(__GNUC__)
#define NC_API __attribute__((visibility("default")))
#else
#define NC_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nc_card nc_card;

enum {
  NC_OK = 0,
  NC_E_ARG = -1,      // an argument is out of range or NULL; the card is unchanged
  NC_E_FATAL = -2,    // the RTL or Verilator hit a fatal error; the card is dead
  NC_E_TIMEOUT = -3,  // nc_run_until_idle reached max_cycles, nc_csr_poll max_reads
  NC_E_BUFFER = -4,   // the caller's buffer is too small; nothing was consumed
  NC_E_IO = -5,       // a file could not be written, or the RTL broke the CSR contract
  NC_E_THREAD = -6    // called from a thread other than the card's creator
};

// Port numbers of nc_set_ready / nc_set_valid (the C# CardPort enum has the same values).
enum {
  NC_PORT_HOST_IN = 0,
  NC_PORT_HOST_OUT = 1,
  NC_PORT_NET_IN = 2,
  NC_PORT_NET_OUT = 3,
  NC_PORT_INJECT_IN = 4,  // the firmware's answers on the punt path
  NC_PORT_PUNT_OUT = 5    // the punt queue (frames to the link-local services)
};

// Creates a card: a new VerilatedContext and model, reset asserted for 8 cycles and then
// released (so nc_cycle() is 8 on return). The calling thread becomes the card's thread.
// *out is set to the card on success and to NULL on failure (then nc_last_error(NULL, ...)
// on this thread has the message). Returns NC_E_ARG if out is NULL.
NC_API int32_t nc_create(nc_card** out);

// Runs the model's final blocks (unless the card is dead) and frees everything, closing an
// open trace. NULL is ignored. Any thread; the card must not be in use by another call.
NC_API void nc_destroy(nc_card* card);

// Drops every queued and partly sent input frame and every collected or partly collected
// output frame, then holds rst high for `cycles` cycles (>= 1) and releases it. Backpressure
// and validity patterns are kept. The cycle counter keeps counting.
NC_API int32_t nc_reset(nc_card* card, uint32_t cycles);

// Runs `cycles` clock cycles (0 is allowed and does nothing), moving queued input frames into
// the card and collecting output frames as the handshakes allow.
NC_API int32_t nc_step(nc_card* card, uint64_t cycles);

// Runs until the card is idle: no input frame queued or partly sent, the card's `idle`
// output high, and no output beat offered or partly collected. Checks before every cycle,
// so an idle card runs 0 cycles. *cycles_run (may be NULL) gets the cycles run, also on
// NC_E_TIMEOUT, which is returned when max_cycles ran without reaching idle.
NC_API int32_t nc_run_until_idle(nc_card* card, uint64_t max_cycles, uint64_t* cycles_run);

// Rising edges since nc_create. Returns 0 for NULL. Any thread.
NC_API uint64_t nc_cycle(const nc_card* card);

// Writes a register: exactly one cycle with csr_valid=1, csr_write=1. addr is a byte address,
// 4-byte aligned and <= 0xFFFC (the bus has 16 address bits).
NC_API int32_t nc_csr_write(nc_card* card, uint32_t addr, uint32_t value);

// Reads a register: exactly one cycle with csr_valid=1, csr_write=0; csr_rdata is sampled
// after that cycle's rising edge. NC_E_IO if the card does not raise csr_rvalid with it.
NC_API int32_t nc_csr_read(nc_card* card, uint32_t addr, uint32_t* value);

// Writes count registers at addr, addr+4, ... (count cycles). count 0 does nothing. The
// whole range must fit the bus; values may be NULL only when count is 0.
NC_API int32_t nc_csr_write_burst(nc_card* card, uint32_t addr, const uint32_t* values, uint32_t count);

// Reads count registers at addr, addr+4, ... (count cycles) into values.
NC_API int32_t nc_csr_read_burst(nc_card* card, uint32_t addr, uint32_t* values, uint32_t count);

// Writes count registers, addrs[i] := values[i] in order, one write cycle each exactly as
// nc_csr_write (count cycles; the addresses need not be consecutive). A driver builds a
// sequence of posted writes (e.g. the staging words that changed, TBL_INDEX and TBL_CMD of
// many table entries) and plays it into the card in one call. Every address is checked
// before the first cycle (NC_E_ARG: nothing written). count 0 does nothing; addrs and values
// may be NULL only when count is 0.
NC_API int32_t nc_csr_write_seq(nc_card* card, const uint32_t* addrs, const uint32_t* values, uint32_t count);

// Reads the register at addr once a cycle, as nc_csr_read, until (value & mask) == expected or
// max_reads (>= 1) reads did not match: a driver's status poll in one call, the same cycles
// as polling with nc_csr_read. *value gets the last value read; *reads (may be NULL) the reads
// made. NC_OK when it matched, NC_E_TIMEOUT when it did not.
NC_API int32_t nc_csr_poll(nc_card* card, uint32_t addr, uint32_t mask, uint32_t expected, uint32_t max_reads,
                           uint32_t* value, uint32_t* reads);

// Queues a frame (copied; 0..1048576 bytes) for the host input port, sent with tuser = slot
// (0..255). Frames are sent in order, 64 bytes a beat, byte k on tdata[8k+7:8k]; an empty
// frame (frame may be NULL) is one beat with tkeep 0 and tlast.
NC_API int32_t nc_push_host(nc_card* card, uint32_t slot, const uint8_t* frame, uint32_t length);

// Queues a frame (copied; 0..1048576 bytes, as nc_push_host) for the network input port.
NC_API int32_t nc_push_net(nc_card* card, const uint8_t* frame, uint32_t length);

// Input frames queued or partly sent, every input port together. Returns 0 for NULL. Any thread.
NC_API uint32_t nc_input_pending(const nc_card* card);

// Takes the oldest frame the card sent on its host output port. Returns 1 and copies it
// (*length bytes, *slot = tuser, *cycle = the cycle count right after the rising edge that
// took its last beat) when there is one, 0 when there is none, NC_E_BUFFER when capacity is
// too small (then *length is the size needed and the frame stays queued). length is
// required; slot and cycle may be NULL; buffer may be NULL when capacity is 0.
NC_API int32_t nc_pull_host(nc_card* card, uint8_t* buffer, uint32_t capacity, uint32_t* length, uint32_t* slot, uint64_t* cycle);

// As nc_pull_host, for the network output port.
NC_API int32_t nc_pull_net(nc_card* card, uint8_t* buffer, uint32_t capacity, uint32_t* length, uint64_t* cycle);

// Takes the oldest frame the card handed to the punt queue (docs/card-punt.md: frames an
// instance sent to the link-local services), as nc_pull_host: *slot is the ENI slot it came from.
NC_API int32_t nc_pull_punt(nc_card* card, uint8_t* buffer, uint32_t capacity, uint32_t* length, uint32_t* slot, uint64_t* cycle);

// Words (32-bit) of one flow record in nc_pull_flow_records' buffer.
#define NC_FLOW_RECORD_WORDS 10

// Takes the flow records the card's record FIFO holds (docs/card-flow-records.md), oldest first,
// at most max_records, into words (NC_FLOW_RECORD_WORDS words each: the record's 315 bits, bit
// 32w + b in word w bit b; layout {slot, src, dst, sport, dport, proto, packets, bytes[39:0],
// first[63:0], last[63:0], rejected, cause[1:0]} from the most significant bit). Runs the clock
// while it reads (one record a cycle, until two cycles pass without one or max_records are
// taken): between two calls the FIFO fills and overflows as on the card. Returns the number
// taken (also in *taken), or a negative status.
NC_API int32_t nc_pull_flow_records(nc_card* card, uint32_t* words, uint32_t max_records, uint32_t* taken);

// Queues a frame (copied; 0..1048576 bytes) for the injection port: the firmware's answer on the
// punt path, which the card delivers on the host output port to ENI slot `slot` (0..255) only.
// Counted in nc_input_pending.
NC_API int32_t nc_push_inject(nc_card* card, uint32_t slot, const uint8_t* frame, uint32_t length);

// One frame taken by nc_pull_host_many / nc_pull_net_many (slot is 0 for the network port).
typedef struct nc_frame_info {
  uint32_t length;
  uint32_t slot;
  uint64_t cycle;
} nc_frame_info;

// Takes the oldest frames the card sent on its host output port, as many as fit: at most
// max_frames (>= 1) and capacity bytes, copied back to back into buffer, frames[i] saying
// frame i's length, tuser and cycle (as nc_pull_host). Returns the number taken, 0 when there
// is none; NC_E_BUFFER when the oldest frame alone does not fit (then frames[0].length is the
// size needed and nothing is taken). One call drains what one nc_pull_host per frame would.
NC_API int32_t nc_pull_host_many(nc_card* card, uint8_t* buffer, uint32_t capacity, nc_frame_info* frames,
                                 uint32_t max_frames);

// As nc_pull_host_many, for the network output port.
NC_API int32_t nc_pull_net_many(nc_card* card, uint8_t* buffer, uint32_t capacity, nc_frame_info* frames,
                                uint32_t max_frames);

// Backpressure on an output port (NC_PORT_HOST_OUT or NC_PORT_NET_OUT): tready is high in a
// cycle with probability percent/100 (0..100; 100, the default, is always ready), drawn from
// a deterministic PRNG seeded with seed.
NC_API int32_t nc_set_ready(nc_card* card, uint32_t port, uint32_t percent, uint64_t seed);

// Gaps on an input port (NC_PORT_HOST_IN or NC_PORT_NET_IN): a beat is offered in a cycle
// with probability percent/100 (0..100; 100, the default, is back to back). Once offered a
// beat stays valid until taken (AXI4-Stream rule).
NC_API int32_t nc_set_valid(nc_card* card, uint32_t port, uint32_t percent, uint64_t seed);

// Starts an FST waveform at path (UTF-8), dumping both clock phases of every later cycle.
// NC_E_ARG if already tracing or path is NULL/empty, or if this library was built without
// tracing (the default libnitrocard.so: only libnitrocard-trace.so, the same RTL verilated
// with --trace-fst, can trace); NC_E_IO if the file cannot be created.
NC_API int32_t nc_trace_start(nc_card* card, const char* path);

// Flushes and closes the waveform. NC_OK if none is open.
NC_API int32_t nc_trace_stop(nc_card* card);

// Copies the message of the card's last failure (or, for card NULL, of this thread's last
// failure without a card, e.g. nc_create) into buffer, truncated and NUL-terminated when
// capacity > 0. Returns the message's full length without the NUL (0 when none).
NC_API int32_t nc_last_error(const nc_card* card, char* buffer, uint32_t capacity);

#ifdef __cplusplus
}
#endif

#endif  // NITROCARD_H_
