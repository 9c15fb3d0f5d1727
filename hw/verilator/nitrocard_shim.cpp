// nitrocard_shim.cpp: wraps the Verilated nitro_card into the C ABI of nitrocard.h.
//
// Each nc_card owns its VerilatedContext, model, input queues, output collectors and trace:
// nothing model-related is global. Cycles are batched here (one P/Invoke per nc_step), and
// each cycle is:
//   1. drive inputs: the next beat of each input queue's head frame (tvalid per the validity
//      pattern), each output's tready (per the readiness pattern), the CSR signals;
//   2. clk=0, eval: combinational outputs settle; trace dump at time 2n;
//   3. sample the handshakes of this edge (s_tvalid && s_tready, m_tvalid && m_tready) and
//      the offered output beats;
//   4. clk=1, eval: the rising edge; cycle n+1; trace dump at time 2n+1;
//   5. advance input queues and append output beats for the sampled handshakes.
#include "nitrocard.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <new>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "Vnitro_card.h"
#include "verilated.h"
#if VM_TRACE
#include "verilated_fst_c.h"
#endif
#if VM_COVERAGE
#include <atomic>
#include <cstdlib>
#include <unistd.h>

#include "verilated_cov.h"
#endif

namespace {

// Beat geometry, taken from the model's port (a reference to a VlWide<N>: N 32-bit words).
template <typename T>
struct WideWords;
template <std::size_t N>
struct WideWords<VlWide<N>> {
  static constexpr std::size_t value = N;
};
constexpr std::size_t kBeatWords = WideWords<std::remove_reference_t<decltype(Vnitro_card::s_axis_host_tdata)>>::value;
constexpr std::size_t kBeatBytes = kBeatWords * 4;
static_assert(kBeatBytes <= 64, "tkeep is driven as a 64-bit word");

constexpr uint32_t kMaxFrame = 1u << 20;
constexpr uint32_t kResetCycles = 8;
constexpr uint32_t kCsrAddrLimit = 0xFFFC;

// The card being evaluated on this thread (for vl_fatal/vl_stop) and whether a model eval is
// on the stack (only then may vl_fatal unwind: see vl_fatal).
thread_local nc_card* t_current = nullptr;
thread_local bool t_in_eval = false;
// Failures with no card to hold them (nc_create, NULL card, fatals outside any card).
thread_local std::string t_error;

// Thrown by vl_fatal out of a model eval (e.g. "Active region did not converge", which would
// otherwise spin forever once vl_fatal returns), caught by the eval wrapper below.
struct FatalUnwind {};

// Deterministic per-port PRNG (splitmix64) deciding tready / tvalid each cycle.
struct Pattern {
  uint32_t percent = 100;
  uint64_t state = 0;
  bool draw() {
    if (percent >= 100) return true;
    if (percent == 0) return false;
    state += 0x9E3779B97F4A7C15ull;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return z % 100 < percent;
  }
};

// Frame bytes of one port, back to back in chunks of kChunkBytes (or of one frame, if larger), a
// frame never spanning two, so each is one contiguous span. Frames leave in the order they came
// and a chunk is freed once every frame in it has left: no allocation per frame (a run of
// 100,000 small frames used to cost 200,000 mallocs and, with 2 KB reserved per frame being
// collected, hundreds of megabytes of page faults) and no reallocation of what is queued.
constexpr std::size_t kChunkBytes = std::size_t{1} << 20;

class FrameStore {
 public:
  struct Span {
    uint64_t chunk;  // chunk number, counted since the store was made
    uint32_t offset;
    uint32_t length;
  };

  // Room for `extra` more bytes of the open frame (moved to a new chunk when the current one
  // cannot hold it whole); returns where they go.
  uint8_t* extend(std::size_t extra) {
    if (chunks_.empty() || chunks_.back().used + open_ + extra > chunks_.back().capacity) add_chunk(open_ + extra);
    Chunk& tail = chunks_.back();
    uint8_t* at = tail.bytes.get() + tail.used + open_;
    open_ += extra;
    return at;
  }

  // Ends the open frame (possibly empty) and returns where it is.
  Span close() {
    if (chunks_.empty()) add_chunk(0);
    Chunk& tail = chunks_.back();
    const Span span{first_ + chunks_.size() - 1, static_cast<uint32_t>(tail.used), static_cast<uint32_t>(open_)};
    tail.used += open_;
    ++tail.live;
    open_ = 0;
    return span;
  }

  // Bytes of the frame being built (not yet closed).
  std::size_t open() const { return open_; }

  const uint8_t* data(const Span& span) const { return chunks_[span.chunk - first_].bytes.get() + span.offset; }

  // The oldest frame has left.
  void release(const Span& span) {
    --chunks_[span.chunk - first_].live;
    while (chunks_.size() > 1 && chunks_.front().live == 0) {
      chunks_.pop_front();
      ++first_;
    }
    Chunk& only = chunks_.front();
    if (chunks_.size() == 1 && only.live == 0 && open_ == 0) only.used = 0;
  }

  void clear() {
    first_ += chunks_.size();
    chunks_.clear();
    open_ = 0;
  }

 private:
  struct Chunk {
    std::unique_ptr<uint8_t[]> bytes;
    std::size_t capacity;
    std::size_t used;  // bytes of closed frames
    uint32_t live;     // closed frames not yet released
  };

  void add_chunk(std::size_t need) {
    const std::size_t capacity = need > kChunkBytes ? need : kChunkBytes;
    Chunk chunk{std::unique_ptr<uint8_t[]>(new uint8_t[capacity]), capacity, 0, 0};
    if (open_ > 0) std::memcpy(chunk.bytes.get(), chunks_.back().bytes.get() + chunks_.back().used, open_);
    chunks_.push_back(std::move(chunk));
  }

  std::deque<Chunk> chunks_;
  uint64_t first_ = 0;  // number of chunks_.front()
  std::size_t open_ = 0;
};

struct InFrame {
  FrameStore::Span span;
  uint8_t slot;
};

// One input port: frames waiting, how far the head frame is sent, and whether a beat is
// being offered (once offered, tvalid stays high until the handshake).
struct InPort {
  FrameStore store;
  std::deque<InFrame> frames;
  std::size_t offset = 0;
  bool offering = false;
  Pattern valid;
  void clear() {
    frames.clear();
    store.clear();
    offset = 0;
    offering = false;
  }
};

struct OutFrame {
  FrameStore::Span span;
  uint32_t slot;
  uint64_t cycle;
};

// One output port: collected frames, and the beats of the frame being collected (the store's
// open frame).
struct OutPort {
  FrameStore store;
  std::deque<OutFrame> frames;
  Pattern ready;
  bool collecting() const { return store.open() > 0; }
  void clear() {
    frames.clear();
    store.clear();
  }
  void pop() {
    store.release(frames.front().span);
    frames.pop_front();
  }
};

}  // namespace

#if VM_TRACE
using TraceFile = VerilatedFstC;
#else
// The default library is built without tracing (Verilator code that keeps every traced signal
// costs simulation speed); libnitrocard-trace.so is the same RTL with --trace-fst.
struct TraceFile {
  void dump(uint64_t) {}
  void close() {}
};
#endif

struct nc_card {
  std::unique_ptr<VerilatedContext> context;
  std::unique_ptr<Vnitro_card> top;
  std::unique_ptr<TraceFile> trace;
  std::thread::id owner;
  uint64_t cycle = 0;
  bool dead = false;
  std::string error;
  InPort host_in, net_in, inject_in;
  OutPort host_out, net_out, punt_out;
  // Flow records: the record FIFO is read only inside nc_pull_flow_records (so it fills, and
  // overflows, between two calls as on the card), straight into the caller's buffer.
  uint32_t* flow_dst = nullptr;
  uint32_t flow_room = 0;
  uint32_t flow_taken = 0;
};

namespace {

int32_t fail(nc_card* card, int32_t status, const std::string& message) {
  if (card) {
    card->error = message;
  } else {
    t_error = message;
  }
  return status;
}

// Records a fatal event against the card being evaluated on this thread.
void mark_dead(const char* what, const char* filename, int linenum, const char* msg) {
  std::string text = what;
  if (filename && filename[0]) text += std::string(" at ") + filename + ":" + std::to_string(linenum);
  if (msg && msg[0]) text += std::string(": ") + msg;
  if (t_current) {
    // Keep the first fatal message: later ones are usually consequences.
    if (!t_current->dead) t_current->error = text;
    t_current->dead = true;
  } else {
    t_error = text;
  }
}

// Sets up this thread for evaluating `card` (the context used by Verilator's helpers is
// per thread, and several cards may share a thread) and restores the previous state after.
class EvalScope {
 public:
  explicit EvalScope(nc_card* card) : saved_(t_current) {
    t_current = card;
    Verilated::threadContextp(card->context.get());
  }
  ~EvalScope() { t_current = saved_; }
  EvalScope(const EvalScope&) = delete;
  EvalScope& operator=(const EvalScope&) = delete;

 private:
  nc_card* saved_;
};

// Evaluates the model; false if it died (vl_fatal unwound or vl_stop marked it).
bool eval(nc_card* card) {
  t_in_eval = true;
  try {
    card->top->eval();
  } catch (const FatalUnwind&) {
    card->dead = true;
  }
  t_in_eval = false;
  return !card->dead;
}

// A VlWide is little-endian 32-bit words, beat byte k in bits 8k+7..8k: on a little-endian
// host its memory is the beat's bytes in order, so beats move with memcpy.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "beats are copied as bytes");

void pack_beat(VlWide<kBeatWords>& tdata, const uint8_t* bytes, std::size_t count) {
  uint8_t* dst = reinterpret_cast<uint8_t*>(tdata.data());
  std::memcpy(dst, bytes, count);
  if (count < kBeatBytes) std::memset(dst + count, 0, kBeatBytes - count);
}

void unpack_beat(const VlWide<kBeatWords>& tdata, uint64_t tkeep, FrameStore& out) {
  const uint8_t* src = reinterpret_cast<const uint8_t*>(tdata.data());
  const std::size_t count = static_cast<std::size_t>(__builtin_popcountll(tkeep));
  if (count == 0) return;
  uint8_t* dst = out.extend(count);
  if ((tkeep & (tkeep + 1)) == 0) {
    // tkeep contiguous from byte 0 (every beat the card sends): one copy
    std::memcpy(dst, src, count);
    return;
  }
  for (std::size_t k = 0; k < kBeatBytes; ++k) {
    if ((tkeep >> k) & 1u) *dst++ = src[k];
  }
}

uint64_t keep_mask(std::size_t count) {
  return count >= 64 ? ~0ull : ((1ull << count) - 1);
}

// Drives one input port's signals for this cycle; returns the number of bytes offered.
template <typename Data, typename Keep, typename Sig>
std::size_t drive_input(InPort& port, Data& tdata, Keep& tkeep, Sig& tvalid, Sig& tlast,
                        bool allow) {
  if (!allow || port.frames.empty()) {
    port.offering = false;
    tvalid = 0;
    return 0;
  }
  if (!port.offering) port.offering = port.valid.draw();
  if (!port.offering) {
    tvalid = 0;
    return 0;
  }
  const InFrame& head = port.frames.front();
  const std::size_t remaining = head.span.length - port.offset;
  const std::size_t count = remaining < kBeatBytes ? remaining : kBeatBytes;
  pack_beat(tdata, port.store.data(head.span) + port.offset, count);
  tkeep = keep_mask(count);
  tlast = remaining <= kBeatBytes;
  tvalid = 1;
  return count;
}

void advance_input(InPort& port, std::size_t count) {
  port.offering = false;
  port.offset += count;
  if (port.offset >= port.frames.front().span.length) {
    port.store.release(port.frames.front().span);
    port.frames.pop_front();
    port.offset = 0;
  }
}

// The beats collected since the last frame end are a whole frame.
void complete_frame(OutPort& port, uint32_t slot, uint64_t cycle) {
  port.frames.push_back({port.store.close(), slot, cycle});
}

struct CsrDrive {
  bool valid = false;
  bool write = false;
  uint32_t addr = 0;
  uint32_t wdata = 0;
};

// One clock cycle, as described at the top of this file. in_reset: rst high, no traffic.
bool cycle_once(nc_card* card, const CsrDrive& csr, bool in_reset) {
  Vnitro_card& top = *card->top;
  const bool traffic = !in_reset;

  // 1. drive
  top.rst = in_reset;
  const std::size_t host_bytes =
      drive_input(card->host_in, top.s_axis_host_tdata, top.s_axis_host_tkeep,
                  top.s_axis_host_tvalid, top.s_axis_host_tlast, traffic);
  if (top.s_axis_host_tvalid) top.s_axis_host_tuser = card->host_in.frames.front().slot;
  const std::size_t net_bytes =
      drive_input(card->net_in, top.s_axis_net_tdata, top.s_axis_net_tkeep,
                  top.s_axis_net_tvalid, top.s_axis_net_tlast, traffic);
  const std::size_t inject_bytes =
      drive_input(card->inject_in, top.s_axis_inject_tdata, top.s_axis_inject_tkeep,
                  top.s_axis_inject_tvalid, top.s_axis_inject_tlast, traffic);
  if (top.s_axis_inject_tvalid) top.s_axis_inject_tuser = card->inject_in.frames.front().slot;
  top.m_axis_punt_tready = traffic && card->punt_out.ready.draw();
  top.m_flow_ready = traffic && card->flow_taken < card->flow_room;
  top.m_axis_host_tready = traffic && card->host_out.ready.draw();
  top.m_axis_net_tready = traffic && card->net_out.ready.draw();
  top.csr_valid = csr.valid;
  top.csr_write = csr.write;
  top.csr_addr = static_cast<uint16_t>(csr.addr);
  top.csr_wdata = csr.wdata;

  // 2. low phase
  top.clk = 0;
  card->context->time(2 * card->cycle);
  if (!eval(card)) return false;
  if (card->trace) card->trace->dump(2 * card->cycle);

  // 3. handshakes of this edge
  const bool host_in_xfer = top.s_axis_host_tvalid && top.s_axis_host_tready;
  const bool net_in_xfer = top.s_axis_net_tvalid && top.s_axis_net_tready;
  const bool host_out_xfer = top.m_axis_host_tvalid && top.m_axis_host_tready;
  const bool net_out_xfer = top.m_axis_net_tvalid && top.m_axis_net_tready;
  const bool inject_in_xfer = top.s_axis_inject_tvalid && top.s_axis_inject_tready;
  const bool punt_out_xfer = top.m_axis_punt_tvalid && top.m_axis_punt_tready;
  const bool punt_out_last = top.m_axis_punt_tlast;
  const uint32_t punt_out_user = top.m_axis_punt_tuser;
  if (punt_out_xfer) unpack_beat(top.m_axis_punt_tdata, top.m_axis_punt_tkeep, card->punt_out.store);
  if (top.m_flow_valid && top.m_flow_ready) {
    std::memcpy(card->flow_dst + std::size_t{card->flow_taken} * NC_FLOW_RECORD_WORDS, top.m_flow_data.data(),
                NC_FLOW_RECORD_WORDS * sizeof(uint32_t));
    ++card->flow_taken;
  }
  const bool host_out_last = top.m_axis_host_tlast;
  const bool net_out_last = top.m_axis_net_tlast;
  const uint32_t host_out_user = top.m_axis_host_tuser;
  if (host_out_xfer) unpack_beat(top.m_axis_host_tdata, top.m_axis_host_tkeep, card->host_out.store);
  if (net_out_xfer) unpack_beat(top.m_axis_net_tdata, top.m_axis_net_tkeep, card->net_out.store);

  // 4. rising edge
  top.clk = 1;
  card->context->time(2 * card->cycle + 1);
  const bool alive = eval(card);
  ++card->cycle;
  if (card->trace) card->trace->dump(2 * card->cycle - 1);
  if (!alive) return false;

  // 5. bookkeeping for the transfers of this edge
  if (host_in_xfer) advance_input(card->host_in, host_bytes);
  if (net_in_xfer) advance_input(card->net_in, net_bytes);
  if (host_out_xfer && host_out_last) complete_frame(card->host_out, host_out_user, card->cycle);
  if (net_out_xfer && net_out_last) complete_frame(card->net_out, 0, card->cycle);
  if (inject_in_xfer) advance_input(card->inject_in, inject_bytes);
  if (punt_out_xfer && punt_out_last) complete_frame(card->punt_out, punt_out_user, card->cycle);
  return true;
}

bool is_idle(const nc_card* card) {
  const Vnitro_card& top = *card->top;
  return card->host_in.frames.empty() && card->net_in.frames.empty() && card->inject_in.frames.empty() &&
         top.idle && !top.m_axis_host_tvalid && !top.m_axis_net_tvalid && !top.m_axis_punt_tvalid &&
         !card->host_out.collecting() && !card->net_out.collecting() && !card->punt_out.collecting();
}

int32_t dead_status(nc_card* card) {
  // The message recorded by vl_fatal/vl_stop stays in card->error.
  if (card->error.empty()) card->error = "the card is dead after a fatal error";
  return NC_E_FATAL;
}

// The common entry check of every call that touches the model.
int32_t enter(nc_card* card) {
  if (!card) return fail(nullptr, NC_E_ARG, "card is NULL");
  if (std::this_thread::get_id() != card->owner) return NC_E_THREAD;
  if (card->dead) return dead_status(card);
  return NC_OK;
}

int32_t run_cycles(nc_card* card, uint64_t cycles, bool in_reset) {
  EvalScope scope(card);
  const CsrDrive none;
  for (uint64_t i = 0; i < cycles; ++i) {
    if (!cycle_once(card, none, in_reset)) return dead_status(card);
  }
  return NC_OK;
}

int32_t check_csr_range(nc_card* card, uint32_t addr, uint32_t count) {
  if (addr & 3u) return fail(card, NC_E_ARG, "CSR address " + std::to_string(addr) + " is not 4-byte aligned");
  if (addr > kCsrAddrLimit || (count > 0 && (uint64_t{count} - 1) * 4 > kCsrAddrLimit - addr)) {
    return fail(card, NC_E_ARG, "CSR access at " + std::to_string(addr) + " x " + std::to_string(count) +
                                    " is beyond the 16-bit CSR bus");
  }
  return NC_OK;
}

int32_t csr_cycle(nc_card* card, bool write, uint32_t addr, uint32_t wdata, uint32_t* rdata) {
  CsrDrive csr;
  csr.valid = true;
  csr.write = write;
  csr.addr = addr;
  csr.wdata = wdata;
  if (!cycle_once(card, csr, false)) return dead_status(card);
  if (!write) {
    if (!card->top->csr_rvalid) {
      return fail(card, NC_E_IO, "the card did not raise csr_rvalid one cycle after a read of " +
                                     std::to_string(addr));
    }
    *rdata = card->top->csr_rdata;
  }
  return NC_OK;
}

int32_t check_frame(nc_card* card, const uint8_t* frame, uint64_t length) {
  // An empty frame (a zero-length pcap record) goes to the card as one beat with tkeep 0 and
  // tlast, which the card counts as malformed, as the model does.
  if ((!frame && length > 0) || length > kMaxFrame) {
    return fail(card, NC_E_ARG, "frame must be 0.." + std::to_string(kMaxFrame) + " bytes, got " +
                                    std::to_string(length) + (frame ? "" : " (NULL)"));
  }
  return NC_OK;
}

void queue_frame(InPort& port, uint32_t slot, const uint8_t* frame, uint32_t length) {
  if (length) std::memcpy(port.store.extend(length), frame, length);
  port.frames.push_back({port.store.close(), static_cast<uint8_t>(slot)});
}

int32_t push(nc_card* card, InPort& port, uint32_t slot, const uint8_t* frame, uint32_t length) {
  if (const int32_t s = check_frame(card, frame, length)) return s;
  queue_frame(port, slot, frame, length);
  return NC_OK;
}

// Frames back to back in data, lengths[i] bytes each; slots NULL for the network port. Every
// frame is checked before any is queued.
int32_t pull(nc_card* card, OutPort& port, uint8_t* buffer, uint32_t capacity, uint32_t* length,
             uint32_t* slot, uint64_t* cycle) {
  if (!length || (!buffer && capacity > 0)) return fail(card, NC_E_ARG, "length is NULL, or buffer is NULL with capacity > 0");
  if (port.frames.empty()) {
    *length = 0;
    return 0;
  }
  const OutFrame& frame = port.frames.front();
  const uint32_t size = frame.span.length;
  *length = size;
  if (size > capacity) {
    return fail(card, NC_E_BUFFER, "frame of " + std::to_string(size) + " bytes does not fit a buffer of " +
                                       std::to_string(capacity));
  }
  if (size) std::memcpy(buffer, port.store.data(frame.span), size);
  if (slot) *slot = frame.slot;
  if (cycle) *cycle = frame.cycle;
  port.pop();
  return 1;
}

int32_t pull_many(nc_card* card, OutPort& port, uint8_t* buffer, uint32_t capacity, nc_frame_info* frames,
                  uint32_t max_frames) {
  if (!frames || max_frames == 0 || (!buffer && capacity > 0)) {
    return fail(card, NC_E_ARG, "frames is NULL or max_frames 0, or buffer is NULL with capacity > 0");
  }
  uint32_t taken = 0;
  uint32_t used = 0;
  while (taken < max_frames && !port.frames.empty()) {
    const OutFrame& frame = port.frames.front();
    const uint32_t size = frame.span.length;
    if (size > capacity - used) {
      if (taken > 0) break;
      frames[0].length = size;
      return fail(card, NC_E_BUFFER, "frame of " + std::to_string(size) + " bytes does not fit a buffer of " +
                                         std::to_string(capacity));
    }
    if (size) std::memcpy(buffer + used, port.store.data(frame.span), size);
    frames[taken] = {size, frame.slot, frame.cycle};
    used += size;
    ++taken;
    port.pop();
  }
  return static_cast<int32_t>(taken);
}

void close_trace(nc_card* card) {
  if (card->trace) {
    card->trace->close();
    card->trace.reset();
  }
}

}  // namespace

// Verilator's user-overridable handlers (compiled with -DVL_USER_FATAL -DVL_USER_STOP, and
// -DVL_USER_FINISH when the build passes it): record, never abort the process.
void vl_fatal(const char* filename, int linenum, const char* hier, const char* msg) {
  (void)hier;
  mark_dead("fatal", filename, linenum, msg);
  if (Verilated::threadContextp()) {
    Verilated::threadContextp()->gotError(true);
    Verilated::threadContextp()->gotFinish(true);
  }
  // Inside a model eval, returning may loop forever (a non-converging region calls this in
  // its loop), so leave the eval by exception; eval() above catches it. Outside an eval
  // (trace open, final) returning is safe.
  if (t_in_eval && t_current) throw FatalUnwind{};
}

void vl_stop(const char* filename, int linenum, const char* hier) {
  (void)hier;
  // $stop, and $error once the error limit is reached: the eval finishes, the card is dead.
  mark_dead("$stop/$error", filename, linenum, nullptr);
  if (Verilated::threadContextp()) Verilated::threadContextp()->gotError(true);
}

#ifdef VL_USER_FINISH
void vl_finish(const char* filename, int linenum, const char* hier) {
  (void)hier;
  mark_dead("$finish", filename, linenum, nullptr);
  if (Verilated::threadContextp()) Verilated::threadContextp()->gotFinish(true);
}
#endif

#if VM_COVERAGE
// The coverage variant (build.ps1 coverage): each card's counts go to their own file when it is
// destroyed, because every card has its own context; verilator_coverage merges them afterwards.
static void write_coverage(nc_card* card) {
  const char* dir = std::getenv("NITROCARD_COVERAGE_DIR");
  if (!dir || !*dir) return;
  static std::atomic<unsigned> sequence{0};
  const std::string path = std::string(dir) + "/card-" + std::to_string(getpid()) + "-" +
                           std::to_string(sequence.fetch_add(1)) + ".dat";
  card->context->coveragep()->write(path.c_str());
}
#endif

extern "C" {

NC_API int32_t nc_create(nc_card** out) {
  if (!out) return fail(nullptr, NC_E_ARG, "out is NULL");
  *out = nullptr;
  std::unique_ptr<nc_card> card;
  try {
    card.reset(new nc_card());
    card->owner = std::this_thread::get_id();
    card->context.reset(new VerilatedContext());  // also becomes this thread's context
    card->context->fatalOnError(false);
#if VM_TRACE
    card->context->traceEverOn(true);
#endif
    {
      EvalScope scope(card.get());
      card->top.reset(new Vnitro_card(card->context.get(), "nitro_card"));
    }
  } catch (const std::bad_alloc&) {
    return fail(nullptr, NC_E_FATAL, "out of memory creating the card");
  }
  if (card->dead) return fail(nullptr, NC_E_FATAL, card->error);
  const int32_t status = run_cycles(card.get(), kResetCycles, true);
  if (status != NC_OK) return fail(nullptr, status, card->error);
  const int32_t settle = run_cycles(card.get(), 0, false);
  if (settle != NC_OK) return fail(nullptr, settle, card->error);
  *out = card.release();
  return NC_OK;
}

NC_API void nc_destroy(nc_card* card) {
  if (!card) return;
  {
    EvalScope scope(card);
    if (!card->dead) {
      t_in_eval = true;
      try {
        card->top->final();
      } catch (const FatalUnwind&) {
        card->dead = true;
      }
      t_in_eval = false;
    }
    close_trace(card);
#if VM_COVERAGE
    write_coverage(card);  // the coverage points count in the model's memory: before it goes
#endif
    card->top.reset();
  }
  // Do not leave this thread pointing at a context about to be freed.
  if (Verilated::threadContextp() == card->context.get()) Verilated::threadContextp(nullptr);
  card->context.reset();
  delete card;
}

NC_API int32_t nc_reset(nc_card* card, uint32_t cycles) {
  if (const int32_t s = enter(card)) return s;
  if (cycles == 0) return fail(card, NC_E_ARG, "reset needs at least 1 cycle");
  card->host_in.clear();
  card->net_in.clear();
  card->host_out.clear();
  card->net_out.clear();
  card->inject_in.clear();
  card->punt_out.clear();
  return run_cycles(card, cycles, true);
}

NC_API int32_t nc_step(nc_card* card, uint64_t cycles) {
  if (const int32_t s = enter(card)) return s;
  return run_cycles(card, cycles, false);
}

NC_API int32_t nc_run_until_idle(nc_card* card, uint64_t max_cycles, uint64_t* cycles_run) {
  if (cycles_run) *cycles_run = 0;
  if (const int32_t s = enter(card)) return s;
  EvalScope scope(card);
  const CsrDrive none;
  uint64_t ran = 0;
  while (!is_idle(card)) {
    if (ran == max_cycles) {
      if (cycles_run) *cycles_run = ran;
      return fail(card, NC_E_TIMEOUT,
                  "not idle after " + std::to_string(max_cycles) + " cycles (input frames pending: " +
                      std::to_string(card->host_in.frames.size() + card->net_in.frames.size()) +
                      ", card idle: " + std::to_string(card->top->idle) + ")");
    }
    if (!cycle_once(card, none, false)) {
      if (cycles_run) *cycles_run = ran + 1;
      return dead_status(card);
    }
    ++ran;
  }
  if (cycles_run) *cycles_run = ran;
  return NC_OK;
}

NC_API uint64_t nc_cycle(const nc_card* card) {
  return card ? card->cycle : 0;
}

NC_API int32_t nc_csr_write(nc_card* card, uint32_t addr, uint32_t value) {
  if (const int32_t s = enter(card)) return s;
  if (const int32_t s = check_csr_range(card, addr, 1)) return s;
  EvalScope scope(card);
  return csr_cycle(card, true, addr, value, nullptr);
}

NC_API int32_t nc_csr_read(nc_card* card, uint32_t addr, uint32_t* value) {
  if (const int32_t s = enter(card)) return s;
  if (!value) return fail(card, NC_E_ARG, "value is NULL");
  if (const int32_t s = check_csr_range(card, addr, 1)) return s;
  EvalScope scope(card);
  return csr_cycle(card, false, addr, 0, value);
}

NC_API int32_t nc_csr_write_burst(nc_card* card, uint32_t addr, const uint32_t* values, uint32_t count) {
  if (const int32_t s = enter(card)) return s;
  if (!values && count > 0) return fail(card, NC_E_ARG, "values is NULL");
  if (const int32_t s = check_csr_range(card, addr, count)) return s;
  EvalScope scope(card);
  for (uint32_t i = 0; i < count; ++i) {
    if (const int32_t s = csr_cycle(card, true, addr + 4 * i, values[i], nullptr)) return s;
  }
  return NC_OK;
}

NC_API int32_t nc_csr_read_burst(nc_card* card, uint32_t addr, uint32_t* values, uint32_t count) {
  if (const int32_t s = enter(card)) return s;
  if (!values && count > 0) return fail(card, NC_E_ARG, "values is NULL");
  if (const int32_t s = check_csr_range(card, addr, count)) return s;
  EvalScope scope(card);
  for (uint32_t i = 0; i < count; ++i) {
    if (const int32_t s = csr_cycle(card, false, addr + 4 * i, 0, &values[i])) return s;
  }
  return NC_OK;
}

NC_API int32_t nc_csr_write_seq(nc_card* card, const uint32_t* addrs, const uint32_t* values, uint32_t count) {
  if (const int32_t s = enter(card)) return s;
  if ((!addrs || !values) && count > 0) return fail(card, NC_E_ARG, "addrs or values is NULL");
  // Every address is checked before the first cycle, so a bad one leaves the card unchanged.
  for (uint32_t i = 0; i < count; ++i) {
    if (const int32_t s = check_csr_range(card, addrs[i], 1)) return s;
  }
  EvalScope scope(card);
  for (uint32_t i = 0; i < count; ++i) {
    if (const int32_t s = csr_cycle(card, true, addrs[i], values[i], nullptr)) return s;
  }
  return NC_OK;
}

NC_API int32_t nc_csr_poll(nc_card* card, uint32_t addr, uint32_t mask, uint32_t expected, uint32_t max_reads,
                           uint32_t* value, uint32_t* reads) {
  if (const int32_t s = enter(card)) return s;
  if (!value) return fail(card, NC_E_ARG, "value is NULL");
  if (max_reads == 0) return fail(card, NC_E_ARG, "max_reads is 0");
  if (const int32_t s = check_csr_range(card, addr, 1)) return s;
  EvalScope scope(card);
  uint32_t done = 0;
  int32_t status = NC_E_TIMEOUT;
  while (done < max_reads) {
    if (const int32_t s = csr_cycle(card, false, addr, 0, value)) {
      status = s;
      break;
    }
    ++done;
    if ((*value & mask) == expected) {
      status = NC_OK;
      break;
    }
  }
  if (reads) *reads = done;
  return status;
}

NC_API int32_t nc_push_host(nc_card* card, uint32_t slot, const uint8_t* frame, uint32_t length) {
  if (const int32_t s = enter(card)) return s;
  if (slot > 255) return fail(card, NC_E_ARG, "slot " + std::to_string(slot) + " does not fit the 8-bit tuser");
  return push(card, card->host_in, slot, frame, length);
}

NC_API int32_t nc_push_net(nc_card* card, const uint8_t* frame, uint32_t length) {
  if (const int32_t s = enter(card)) return s;
  return push(card, card->net_in, 0, frame, length);
}

NC_API uint32_t nc_input_pending(const nc_card* card) {
  if (!card) return 0;
  return static_cast<uint32_t>(card->host_in.frames.size() + card->net_in.frames.size() +
                               card->inject_in.frames.size());
}

NC_API int32_t nc_pull_host(nc_card* card, uint8_t* buffer, uint32_t capacity, uint32_t* length,
                            uint32_t* slot, uint64_t* cycle) {
  if (const int32_t s = enter(card)) return s;
  return pull(card, card->host_out, buffer, capacity, length, slot, cycle);
}

NC_API int32_t nc_pull_net(nc_card* card, uint8_t* buffer, uint32_t capacity, uint32_t* length,
                           uint64_t* cycle) {
  if (const int32_t s = enter(card)) return s;
  return pull(card, card->net_out, buffer, capacity, length, nullptr, cycle);
}

NC_API int32_t nc_pull_host_many(nc_card* card, uint8_t* buffer, uint32_t capacity, nc_frame_info* frames,
                                 uint32_t max_frames) {
  if (const int32_t s = enter(card)) return s;
  return pull_many(card, card->host_out, buffer, capacity, frames, max_frames);
}

NC_API int32_t nc_pull_net_many(nc_card* card, uint8_t* buffer, uint32_t capacity, nc_frame_info* frames,
                                uint32_t max_frames) {
  if (const int32_t s = enter(card)) return s;
  return pull_many(card, card->net_out, buffer, capacity, frames, max_frames);
}

NC_API int32_t nc_pull_punt(nc_card* card, uint8_t* buffer, uint32_t capacity, uint32_t* length,
                            uint32_t* slot, uint64_t* cycle) {
  if (const int32_t s = enter(card)) return s;
  return pull(card, card->punt_out, buffer, capacity, length, slot, cycle);
}

NC_API int32_t nc_pull_flow_records(nc_card* card, uint32_t* words, uint32_t max_records, uint32_t* taken) {
  if (const int32_t s = enter(card)) return s;
  if (!taken) return fail(card, NC_E_ARG, "taken is NULL");
  if (!words && max_records > 0) return fail(card, NC_E_ARG, "words is NULL");
  *taken = 0;
  EvalScope scope(card);
  card->flow_dst = words;
  card->flow_room = max_records;
  card->flow_taken = 0;
  // A record written into the FIFO shows at its output two edges later: stop after two cycles
  // without one (or when the buffer is full).
  const CsrDrive none;
  int32_t status = NC_OK;
  for (int quiet = 0; quiet < 2 && card->flow_taken < card->flow_room;) {
    const uint32_t before = card->flow_taken;
    if (!cycle_once(card, none, false)) {
      status = dead_status(card);
      break;
    }
    quiet = card->flow_taken == before ? quiet + 1 : 0;
  }
  *taken = card->flow_taken;
  card->flow_dst = nullptr;
  card->flow_room = 0;
  card->flow_taken = 0;
  return status == NC_OK ? static_cast<int32_t>(*taken) : status;
}

NC_API int32_t nc_push_inject(nc_card* card, uint32_t slot, const uint8_t* frame, uint32_t length) {
  if (const int32_t s = enter(card)) return s;
  if (slot > 255) return fail(card, NC_E_ARG, "slot " + std::to_string(slot) + " does not fit the 8-bit tuser");
  return push(card, card->inject_in, slot, frame, length);
}

NC_API int32_t nc_set_ready(nc_card* card, uint32_t port, uint32_t percent, uint64_t seed) {
  if (const int32_t s = enter(card)) return s;
  if (percent > 100) return fail(card, NC_E_ARG, "percent " + std::to_string(percent) + " is above 100");
  Pattern* pattern = port == NC_PORT_HOST_OUT  ? &card->host_out.ready
                     : port == NC_PORT_NET_OUT ? &card->net_out.ready
                     : port == NC_PORT_PUNT_OUT ? &card->punt_out.ready
                                               : nullptr;
  if (!pattern) return fail(card, NC_E_ARG, "port " + std::to_string(port) + " is not an output (1 host out, 3 net out, 5 punt out)");
  pattern->percent = percent;
  pattern->state = seed;
  return NC_OK;
}

NC_API int32_t nc_set_valid(nc_card* card, uint32_t port, uint32_t percent, uint64_t seed) {
  if (const int32_t s = enter(card)) return s;
  if (percent > 100) return fail(card, NC_E_ARG, "percent " + std::to_string(percent) + " is above 100");
  Pattern* pattern = port == NC_PORT_HOST_IN  ? &card->host_in.valid
                     : port == NC_PORT_NET_IN ? &card->net_in.valid
                     : port == NC_PORT_INJECT_IN ? &card->inject_in.valid
                                              : nullptr;
  if (!pattern) return fail(card, NC_E_ARG, "port " + std::to_string(port) + " is not an input (0 host in, 2 net in, 4 inject in)");
  pattern->percent = percent;
  pattern->state = seed;
  return NC_OK;
}

NC_API int32_t nc_trace_start(nc_card* card, const char* path) {
  if (const int32_t s = enter(card)) return s;
  if (!path || !path[0]) return fail(card, NC_E_ARG, "trace path is NULL or empty");
  if (card->trace) return fail(card, NC_E_ARG, "a trace is already open; stop it first");
#if !VM_TRACE
  return fail(card, NC_E_ARG,
              "this libnitrocard.so is built without tracing: waveforms need libnitrocard-trace.so "
              "(dotnet pwsh ./build.ps1 trace; the driver loads it when NITROCARD_TRACE=1, nitroctl simulate --trace does so)");
#else
  // The FST writer does not report a file it cannot create: probe first.
  std::FILE* probe = std::fopen(path, "wb");
  if (!probe) return fail(card, NC_E_IO, std::string("cannot create ") + path + ": " + std::strerror(errno));
  std::fclose(probe);
  EvalScope scope(card);
  try {
    card->trace.reset(new VerilatedFstC());
    card->top->trace(card->trace.get(), 99);
    card->trace->open(path);
  } catch (const std::bad_alloc&) {
    card->trace.reset();
    return fail(card, NC_E_FATAL, "out of memory opening the trace");
  }
  if (card->dead || !card->trace->isOpen()) {
    card->trace.reset();
    return card->dead ? dead_status(card) : fail(card, NC_E_IO, std::string("cannot open trace ") + path);
  }
  return NC_OK;
#endif
}

NC_API int32_t nc_trace_stop(nc_card* card) {
  if (!card) return fail(nullptr, NC_E_ARG, "card is NULL");
  if (std::this_thread::get_id() != card->owner) return NC_E_THREAD;
  EvalScope scope(card);
  close_trace(card);
  return card->dead ? dead_status(card) : NC_OK;
}

NC_API int32_t nc_last_error(const nc_card* card, char* buffer, uint32_t capacity) {
  const std::string& message = card ? card->error : t_error;
  if (buffer && capacity > 0) {
    const std::size_t n = message.size() < capacity - 1 ? message.size() : capacity - 1;
    std::memcpy(buffer, message.data(), n);
    buffer[n] = '\0';
  }
  return static_cast<int32_t>(message.size());
}

}  // extern "C"
