// tb_nitro_inject: fast-path frames and injected frames (1..10 beats; some longer than the 8-beat
// injection queue) with random gaps and random output backpressure. Checks: every output frame is
// whole from one source (no interleaving), each source's frames in order with their tuser, injected
// frames longer than the queue dropped and counted (PUNT_INJECT_DROPS) without blocking the port,
// the fast path a wire (tready/tvalid in the same cycle) whenever no injected frame is on the
// output, and both sides served when both wait (the turn alternates).
`timescale 1ns/1ps
module tb_nitro_inject;

  tb_verdict #(.TIMEOUT(5000000)) verdict ();

  localparam int DL = 3, DEPTH = 2 ** DL;
  logic clk = 0, rst = 1;
  always #1 clk = ~clk;

  logic        csr_valid = 0, csr_write = 0;
  logic [15:0] csr_addr = 0;
  logic [31:0] csr_rd;
  logic [511:0] i_data, f_data, m_data;
  logic [63:0]  i_keep, f_keep, m_keep;
  logic i_valid, i_ready, i_last, f_valid, f_ready, f_last, m_valid, m_ready, m_last, busy;
  logic [7:0] i_user, f_user, m_user;

  nitro_inject #(.DEPTH_LOG2(DL)) dut (
    .clk(clk), .rst(rst), .csr_valid(csr_valid), .csr_write(csr_write), .csr_addr(csr_addr), .csr_rd(csr_rd),
    .s_axis_inject_tdata(i_data), .s_axis_inject_tkeep(i_keep), .s_axis_inject_tvalid(i_valid),
    .s_axis_inject_tready(i_ready), .s_axis_inject_tlast(i_last), .s_axis_inject_tuser(i_user),
    .s_axis_fast_tdata(f_data), .s_axis_fast_tkeep(f_keep), .s_axis_fast_tvalid(f_valid),
    .s_axis_fast_tready(f_ready), .s_axis_fast_tlast(f_last), .s_axis_fast_tuser(f_user),
    .m_axis_tdata(m_data), .m_axis_tkeep(m_keep), .m_axis_tvalid(m_valid), .m_axis_tready(m_ready),
    .m_axis_tlast(m_last), .m_axis_tuser(m_user), .busy(busy));

  // A beat says who sent it: data[15:0] = frame id, [23:16] = beat, [24] = injected.
  int f_frames = 0, i_frames = 0, f_beat = 0, i_beat = 0, f_len = 3, i_len = 3;
  int f_total = 600, i_total = 400;
  int f_next_out = 0, i_expected[$], i_lengths[$], drops_ref = 0, i_out = 0, f_out = 0;
  bit out_mid = 0, out_inj = 0, f_offer = 0, i_offer = 0, ready_random = 1;
  int out_id = 0, out_beat = 0;

  always @(negedge clk) begin
    if (!rst) begin
      if (!f_offer && f_frames < f_total) f_offer = ($urandom % 3 != 0);
      if (!i_offer && i_frames < i_total) i_offer = ($urandom % 4 == 0);
      f_valid = f_offer;
      f_data = '0; f_data[15:0] = 16'(f_frames); f_data[23:16] = 8'(f_beat);
      f_keep = '1; f_last = (f_beat == f_len - 1); f_user = 8'(f_frames % 7);
      i_valid = i_offer;
      i_data = '0; i_data[15:0] = 16'(i_frames); i_data[23:16] = 8'(i_beat); i_data[24] = 1'b1;
      i_keep = i_last_keep(i_beat == i_len - 1); i_last = (i_beat == i_len - 1); i_user = 8'(i_frames % 5);
      m_ready = ready_random ? ($urandom % 4 != 0) : 1'b1;
    end
  end

  function automatic logic [63:0] i_last_keep(bit last);
    return last ? 64'h0000_0000_FFFF_FFFF : '1;
  endfunction

  always @(posedge clk) begin
    if (!rst) begin
      // A wire for the fast path while no injected frame holds the output.
      if (!(out_mid && out_inj) && !(m_valid && m_data[24])) begin
        verdict.check(m_valid == f_valid && f_ready == m_ready, "fast path passes through in the same cycle");
      end
      if (f_valid && f_ready) begin
        f_beat++;
        if (f_last) begin f_beat = 0; f_frames++; f_len = 1 + ($urandom % 10); f_offer = 0; end
      end
      if (i_valid && i_ready) begin
        i_beat++;
        if (i_last) begin
          if (i_len > DEPTH) drops_ref++;
          else begin i_expected.push_back(i_frames); i_lengths.push_back(i_len); end
          i_beat = 0; i_frames++; i_len = ($urandom % 8 == 0) ? DEPTH + 1 + ($urandom % 3) : 1 + ($urandom % DEPTH); i_offer = 0;
        end
      end
      if (m_valid && m_ready) begin
        bit inj;
        int id, bt;
        inj = m_data[24]; id = m_data[15:0]; bt = m_data[23:16];
        if (!out_mid) begin
          out_mid = 1; out_inj = inj; out_id = id; out_beat = 0;
          if (inj) begin
            verdict.check(i_expected.size() > 0 && id == i_expected[0], $sformatf("injected frame %0d in order", id));
            verdict.check(m_user == 8'(id % 5), "injected tuser");
          end else begin
            verdict.check(id == f_next_out, $sformatf("fast frame %0d in order (expected %0d)", id, f_next_out));
            verdict.check(m_user == 8'(id % 7), "fast tuser");
          end
        end
        verdict.check(inj == out_inj && id == out_id && bt == out_beat, $sformatf("beat %0d of frame %0d (%s) whole, not interleaved", bt, id, inj ? "injected" : "fast"));
        out_beat++;
        if (m_last) begin
          out_mid = 0;
          if (inj) begin
            verdict.check(out_beat == i_lengths[0] && m_keep == 64'h0000_0000_FFFF_FFFF, "injected frame length and last keep");
            void'(i_expected.pop_front()); void'(i_lengths.pop_front()); i_out++;
          end else begin
            f_next_out++; f_out++;
          end
        end
      end
    end
  end

  initial begin
    i_valid = 0; f_valid = 0; m_ready = 1;
    repeat (4) @(posedge clk);
    rst = 0;
    wait (f_frames >= f_total && i_frames >= i_total);
    ready_random = 0;
    repeat (200) @(posedge clk);
    verdict.check(i_expected.size() == 0 && f_out == f_total, $sformatf("all delivered: %0d fast of %0d, %0d injected left", f_out, f_total, i_expected.size()));
    verdict.check(!busy, "idle at the end");
    verdict.check(drops_ref > 10, "frames longer than the queue in the mix");
    @(negedge clk); csr_valid = 1; csr_addr = nitro_regs_pkg::ADDR_PUNT_INJECT_DROPS;
    #0.5 verdict.check(csr_rd == 32'(drops_ref), $sformatf("PUNT_INJECT_DROPS %0d, expected %0d", csr_rd, drops_ref));
    @(negedge clk); csr_valid = 0;
    $display("fast %0d, injected %0d, injected dropped %0d", f_out, i_out, drops_ref);
    verdict.finish(0);
  end

endmodule
