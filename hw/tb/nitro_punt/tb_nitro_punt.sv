// tb_nitro_punt: random host frames (ordinary traffic; each link-local service; near misses: other
// protocol or port, fragments, IPv4 options, short frames; frames longer than the punt queue; slots
// without a punt entry and beyond NUM_ENI) with gaps and random backpressure on both outputs, vs a
// reference of docs/card-punt.md written here: the fast path gets exactly the frames that are not
// punt-bound, byte for byte, in order, in the same cycle (tready/tvalid pass through); the punt queue
// gets the bound frames the token bucket admits, whole, with their slot (or counts them
// punt-queue-full); rate-limit drops per slot as the bucket arithmetic says, with the clock moving
// and a PUNT_LIMIT rewrite refilling; PUNT_ENI_COUNT and the registers read back; COUNTER_CLEAR.
`timescale 1ns/1ps
module tb_nitro_punt;

  tb_verdict #(.TIMEOUT(20000000)) verdict ();

  localparam int NE = 8, DL = 5, QBYTES = 64 * (2 ** DL);
  logic clk = 0, rst = 1;
  always #1 clk = ~clk;

  logic        csr_valid = 0, csr_write = 0;
  logic [15:0] csr_addr = 0;
  logic [31:0] csr_wdata = 0, csr_rd;
  logic [63:0] now = 0;
  logic [511:0] s_data, f_data, p_data;
  logic [63:0]  s_keep, f_keep, p_keep;
  logic s_valid, s_ready, s_last, f_valid, f_ready, f_last, p_valid, p_ready, p_last, drop, busy;
  logic [7:0] s_user, f_user, p_user;
  logic [3:0] drop_reason;

  nitro_punt #(.NUM_ENI(NE), .DEPTH_LOG2(DL)) dut (
    .clk(clk), .rst(rst), .csr_valid(csr_valid), .csr_write(csr_write), .csr_addr(csr_addr),
    .csr_wdata(csr_wdata), .csr_rd(csr_rd), .now(now),
    .s_axis_tdata(s_data), .s_axis_tkeep(s_keep), .s_axis_tvalid(s_valid), .s_axis_tready(s_ready),
    .s_axis_tlast(s_last), .s_axis_tuser(s_user),
    .m_axis_fast_tdata(f_data), .m_axis_fast_tkeep(f_keep), .m_axis_fast_tvalid(f_valid),
    .m_axis_fast_tready(f_ready), .m_axis_fast_tlast(f_last), .m_axis_fast_tuser(f_user),
    .m_axis_punt_tdata(p_data), .m_axis_punt_tkeep(p_keep), .m_axis_punt_tvalid(p_valid),
    .m_axis_punt_tready(p_ready), .m_axis_punt_tlast(p_last), .m_axis_punt_tuser(p_user),
    .drop(drop), .drop_reason(drop_reason), .busy(busy));

  // ---------------------------------------------------------------- reference
  typedef byte unsigned bytes_t[];
  logic [31:0] resolver [NE];
  bit          entry_ok [NE];
  int          burst = 3, refill_log2 = 4;
  int          tokens [NE];
  int unsigned stamp [NE];
  bit          fresh [NE];

  function automatic bit ref_bound(bytes_t f, int slot);
    logic [31:0] dst;
    logic [15:0] port;
    byte unsigned proto;
    if (slot >= NE || !entry_ok[slot] || f.size() < 38) return 0;
    if (f[12] != 8'h08 || f[13] != 8'h00 || f[14] != 8'h45 || (f[20] & 8'h3F) != 0 || f[21] != 0) return 0;
    dst = {f[30], f[31], f[32], f[33]};
    port = {f[36], f[37]};
    proto = f[23];
    if (dst == 32'hA9FEA9FE && proto == 6 && port == 80) return 1;
    if ((dst == 32'hA9FEA9FD || (resolver[slot] != 0 && dst == resolver[slot])) && (proto == 6 || proto == 17) && port == 53) return 1;
    if (dst == 32'hA9FEA97B && proto == 17 && port == 123) return 1;
    return 0;
  endfunction

  function automatic bit ref_take(int slot);
    int unsigned t, elapsed, avail;
    t = 32'(now >> refill_log2);
    if (fresh[slot]) avail = burst;
    else begin
      elapsed = t - stamp[slot];
      if (elapsed > 65535) elapsed = 65535;
      avail = tokens[slot] + elapsed;
      if (avail > burst) avail = burst;
    end
    fresh[slot] = 0;
    stamp[slot] = t;
    tokens[slot] = (avail != 0) ? avail - 1 : 0;
    return avail != 0;
  endfunction

  // ---------------------------------------------------------------- frames
  class frame_t;
    bytes_t data;
    int slot;
  endclass
  frame_t inq[$], fast_exp[$], punt_exp[$];
  int punted_ref [NE], limited_ref [NE];
  int fast_seen = 0, punt_seen = 0, qfull_drops = 0, rl_drops = 0, bound_seen = 0, fast_sent = 0;

  function automatic bytes_t make_frame(int kind);
    bytes_t f;
    int len;
    logic [31:0] dst;
    int proto, port;
    len = ($urandom % 20 == 0) ? QBYTES + 1 + ($urandom % 200) : 38 + ($urandom % 300);
    if (kind == 9) len = 1 + ($urandom % 37);          // too short to classify
    f = new[len];
    foreach (f[i]) f[i] = 8'($urandom);
    f[12] = 8'h08; f[13] = 8'h00;
    if (len > 14) f[14] = 8'h45;
    if (len > 21) begin f[20] = 8'h40; f[21] = 0; end
    case (kind)
      0: begin dst = 32'hA9FEA9FE; proto = 6;  port = 80;  end
      1: begin dst = 32'hA9FEA9FD; proto = ($urandom % 2) ? 6 : 17; port = 53; end
      2: begin dst = 32'h0A000002; proto = 17; port = 53;  end   // a resolver (slot 2's)
      3: begin dst = 32'hA9FEA97B; proto = 17; port = 123; end
      4: begin dst = 32'hA9FEA9FE; proto = 17; port = 80;  end   // wrong protocol
      5: begin dst = 32'hA9FEA97B; proto = 17; port = 124; end   // wrong port
      6: begin dst = 32'hA9FEA9FE; proto = 6;  port = 80;  if (len > 21) f[20] = 8'h20; end  // MF
      7: begin dst = 32'hA9FEA9FD; proto = 17; port = 53;  if (len > 14) f[14] = 8'h46; end  // options
      default: begin dst = 32'h0A000100 | ($urandom % 256); proto = 17; port = $urandom % 65536; end
    endcase
    if (len > 23) f[23] = 8'(proto);
    if (len > 33) begin f[30] = dst[31:24]; f[31] = dst[23:16]; f[32] = dst[15:8]; f[33] = dst[7:0]; end
    if (len > 37) begin f[36] = 8'(port >> 8); f[37] = 8'(port); end
    return f;
  endfunction

  // ---------------------------------------------------------------- drive
  int offset = 0;
  bit offering = 0, f_random = 1, p_random = 1, hold_punt = 0, stop_input = 0;

  always @(negedge clk) begin
    if (!rst) begin
      if (!offering && inq.size() > 0 && !stop_input) offering = ($urandom % 4 != 0);
      s_valid = offering;
      if (offering) begin
        int n;
        n = inq[0].data.size() - offset;
        if (n > 64) n = 64;
        s_data = '0;
        for (int k = 0; k < n; k++) s_data[8*k +: 8] = inq[0].data[offset + k];
        s_keep = (n == 64) ? '1 : ((64'd1 << n) - 1);
        s_last = (offset + n) >= inq[0].data.size();
        s_user = 8'(inq[0].slot);
      end
      f_ready = f_random ? ($urandom % 4 != 0) : 1'b1;
      p_ready = hold_punt ? 1'b0 : (p_random ? ($urandom % 5 != 0) : 1'b1);
    end
  end

  // Output collection
  byte unsigned f_cur[$], p_cur[$];

  function automatic bit same(bytes_t exp, byte unsigned got[$]);
    if (exp.size() != got.size()) return 0;
    foreach (exp[i]) if (exp[i] != got[i]) return 0;
    return 1;
  endfunction

  bit first_beat = 1;
  bit cur_punt = 0, cur_admit = 0;

  always @(posedge clk) begin
    if (!rst) begin
      // The fast path is a wire when the frame is not punted.
      bit bound_now;
      bound_now = 0;
      if (s_valid && first_beat && inq.size() > 0) bound_now = ref_bound(inq[0].data, inq[0].slot);
      if (s_valid && (!first_beat ? !cur_punt : !bound_now)) begin
        verdict.check(s_ready == f_ready, "fast path tready passes through in the same cycle");
        verdict.check(f_valid == s_valid, "fast path tvalid passes through in the same cycle");
      end
      if (s_valid && s_ready) begin
        if (first_beat) begin
          cur_punt = ref_bound(inq[0].data, inq[0].slot);
          if (cur_punt) begin
            bound_seen++;
            cur_admit = ref_take(inq[0].slot);
            if (!cur_admit) begin
              limited_ref[inq[0].slot]++;
              rl_drops++;
              verdict.check(drop && drop_reason == 4'(nitro_regs_pkg::DROP_PUNT_RATE_LIMIT), "rate-limit drop at the first beat");
            end
          end
        end
        offset += (s_keep == '1) ? 64 : $countones(s_keep);
        first_beat = s_last;
        if (s_last) begin
          if (!cur_punt) begin fast_exp.push_back(inq[0]); fast_sent++; end
          else if (cur_admit) punt_exp.push_back(inq[0]);
          void'(inq.pop_front());
          offset = 0;
          offering = 0;
        end
      end
      if (drop && drop_reason == 4'(nitro_regs_pkg::DROP_PUNT_QUEUE_FULL)) begin
        qfull_drops++;
        // The dropped frame is the newest admitted one (it has just ended).
        verdict.check(punt_exp.size() > 0, "queue-full drop of an admitted frame");
        if (punt_exp.size() > 0) void'(punt_exp.pop_back());
      end
      if (f_valid && f_ready) begin
        for (int i = 0; i < 64; i++) if (f_keep[i]) f_cur.push_back(f_data[8*i +: 8]);
        if (f_last) begin
          verdict.check(fast_exp.size() > 0, "fast frame expected");
          if (fast_exp.size() > 0) begin
            verdict.check(same(fast_exp[0].data, f_cur) && f_user == 8'(fast_exp[0].slot), $sformatf("fast frame %0d bytes slot %0d, expected %0d bytes slot %0d", f_cur.size(), f_user, fast_exp[0].data.size(), fast_exp[0].slot));
            void'(fast_exp.pop_front());
          end
          fast_seen++;
          f_cur.delete();
        end
      end
      if (p_valid && p_ready) begin
        for (int i = 0; i < 64; i++) if (p_keep[i]) p_cur.push_back(p_data[8*i +: 8]);
        if (p_last) begin
          verdict.check(punt_exp.size() > 0, "punted frame expected");
          if (punt_exp.size() > 0) begin
            verdict.check(same(punt_exp[0].data, p_cur) && p_user == 8'(punt_exp[0].slot), $sformatf("punted frame %0d bytes slot %0d, expected %0d bytes slot %0d", p_cur.size(), p_user, punt_exp[0].data.size(), punt_exp[0].slot));
            verdict.check(p_cur.size() <= QBYTES, "a punted frame fits the queue");
            punted_ref[punt_exp[0].slot]++;
            void'(punt_exp.pop_front());
          end
          punt_seen++;
          p_cur.delete();
        end
      end
    end
  end

  // ---------------------------------------------------------------- CSR
  task automatic csr_wr(input logic [15:0] a, input logic [31:0] d);
    @(negedge clk); csr_valid = 1; csr_write = 1; csr_addr = a; csr_wdata = d;
    @(negedge clk); csr_valid = 0; csr_write = 0;
  endtask

  task automatic csr_rd_check(input logic [15:0] a, input logic [31:0] exp, input string what);
    @(negedge clk); csr_valid = 1; csr_write = 0; csr_addr = a;
    #0.5 verdict.check(csr_rd == exp, $sformatf("%s: read %0d, expected %0d", what, csr_rd, exp));
    @(negedge clk); csr_valid = 0;
  endtask

  task automatic set_entry(int slot, bit ok, logic [31:0] addr);
    csr_wr(nitro_regs_pkg::ADDR_PUNT_ENI_ADDR, addr);
    csr_wr(nitro_regs_pkg::ADDR_PUNT_ENI_SET, {23'd0, ok, 8'(slot)});
    if (slot < NE) begin entry_ok[slot] = ok; resolver[slot] = addr; end
  endtask

  task automatic set_limit(int b, int r);
    csr_wr(nitro_regs_pkg::ADDR_PUNT_LIMIT, {11'd0, 5'(r), 16'(b)});
    burst = b; refill_log2 = r;
    for (int i = 0; i < NE; i++) fresh[i] = 1;
  endtask

  task automatic run_frames(int count);
    for (int i = 0; i < count; i++) begin
      frame_t fr;
      int kind;
      fr = new;
      kind = $urandom % 11;
      fr.data = make_frame(kind);
      fr.slot = ($urandom % 12 == 0) ? NE + ($urandom % 3) : $urandom % NE;
      inq.push_back(fr);
    end
    while (inq.size() > 0) begin
      @(posedge clk);
      if ($urandom % 400 == 0) now = now + ($urandom % 64);
    end
    repeat (200) @(posedge clk);
  endtask

  initial begin
    s_valid = 0; s_last = 0; s_user = 0; s_data = '0; s_keep = '0; f_ready = 1; p_ready = 1;
    for (int i = 0; i < NE; i++) begin entry_ok[i] = 0; resolver[i] = 0; fresh[i] = 1; tokens[i] = 0; stamp[i] = 0; punted_ref[i] = 0; limited_ref[i] = 0; end
    repeat (4) @(posedge clk);
    rst = 0;
    burst = 1024; refill_log2 = 10;
    csr_rd_check(nitro_regs_pkg::ADDR_PUNT_LIMIT, nitro_regs_pkg::PUNT_LIMIT_RESET, "PUNT_LIMIT reset");
    csr_rd_check(nitro_regs_pkg::ADDR_PARAM_PUNT, 2 ** DL, "PARAM_PUNT");
    for (int s = 0; s < NE - 2; s++) set_entry(s, 1, (s == 2) ? 32'h0A000002 : 32'h0);
    set_entry(NE + 1, 1, 32'h0);                        // beyond NUM_ENI: ignored
    set_limit(3, 4);
    csr_rd_check(nitro_regs_pkg::ADDR_PUNT_LIMIT, {11'd0, 5'd4, 16'd3}, "PUNT_LIMIT");
    csr_rd_check(nitro_regs_pkg::ADDR_PUNT_ENI_ADDR, 32'h0, "PUNT_ENI_ADDR (the last written)");
    run_frames(1500);
    // A stalled punt queue: admitted frames that do not fit are dropped whole, the fast path flows.
    hold_punt = 1;
    set_limit(1000, 4);
    run_frames(300);
    hold_punt = 0;
    repeat (400) @(posedge clk);
    // Slot 1 loses its entry: its link-local frames go to the fast path.
    set_entry(1, 0, 32'h0);
    run_frames(300);
    verdict.check(fast_exp.size() == 0 && punt_exp.size() == 0, $sformatf("outputs drained (%0d fast, %0d punt left)", fast_exp.size(), punt_exp.size()));
    verdict.check(!busy, "idle at the end");
    for (int s = 0; s < NE; s++) begin
      csr_rd_check(nitro_regs_pkg::ADDR_PUNT_ENI_COUNT + 16'(8 * s), punted_ref[s], $sformatf("slot %0d punted", s));
      csr_rd_check(nitro_regs_pkg::ADDR_PUNT_ENI_COUNT + 16'(8 * s + 4), limited_ref[s], $sformatf("slot %0d rate-limited", s));
    end
    csr_wr(nitro_regs_pkg::ADDR_COUNTER_CLEAR, 1);
    csr_rd_check(nitro_regs_pkg::ADDR_PUNT_ENI_COUNT, 0, "cleared");
    verdict.check(rl_drops > 20 && qfull_drops > 10 && punt_seen > 100 && fast_seen > 500,
                  $sformatf("mix: %0d rate-limited, %0d queue-full, %0d punted, %0d fast", rl_drops, qfull_drops, punt_seen, fast_seen));
    $display("bound %0d, punted %0d, rate-limited %0d, queue-full %0d, fast %0d", bound_seen, punt_seen, rl_drops, qfull_drops, fast_seen);
    verdict.finish(0);
  end

endmodule
