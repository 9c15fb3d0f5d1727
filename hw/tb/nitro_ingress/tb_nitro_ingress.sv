// tb_nitro_ingress: random-length frames with random input gaps and random consumer stalls.
// Checks every stored beat and last flag, every header record (length, tuser, the first 84
// bytes with 0 past the frame end), the truncation of frames longer than MAX_LEN (first
// STORE_BEATS beats + the last beat kept), and line rate (a beat per cycle) when unstalled.
`timescale 1ns/1ps
module tb_nitro_ingress;

  tb_verdict #(.TIMEOUT(1000000)) verdict ();   // PASS / FAIL verdict and watchdog (hw/tb/common)

  localparam int MAXL = 200;                 // STORE_BEATS = 4
  localparam int HB = 84;
  logic clk = 0, rst = 1;
  always #1 clk = ~clk;

  logic [511:0] s_d, b_d;
  logic [63:0]  s_k;
  logic s_v, s_r, s_l, b_l, b_v, b_r, h_v, h_r, busy;
  logic [7:0] s_u, h_u;
  logic [8*HB-1:0] h_d;
  logic [15:0] h_len;

  nitro_ingress #(.DATA_WIDTH(512), .HDR_BYTES(HB), .MAX_LEN(MAXL), .BEAT_DEPTH_LOG2(4),
                  .HDR_DEPTH_LOG2(2), .USER_WIDTH(8)) dut (
    .clk(clk), .rst(rst),
    .s_axis_tdata(s_d), .s_axis_tkeep(s_k), .s_axis_tvalid(s_v), .s_axis_tready(s_r),
    .s_axis_tlast(s_l), .s_axis_tuser(s_u),
    .m_axis_beat_tdata(b_d), .m_axis_beat_tlast(b_l), .m_axis_beat_tvalid(b_v), .m_axis_beat_tready(b_r),
    .hdr_data(h_d), .hdr_len(h_len), .hdr_user(h_u), .hdr_valid(h_v), .hdr_ready(h_r),
    .busy(busy));

  // Expected streams
  logic [512:0] exp_beats[$];
  logic [8*HB+23:0] exp_hdrs[$];
  int errors = 0, nbeats = 0, nhdrs = 0;
  bit stall = 1;

  function automatic byte unsigned fbyte(input int f, input int i);
    return 8'(f * 7 + i + 1);
  endfunction

  task automatic send_frame(input int f, input int len, input bit gaps);
    int beats = (len + 63) / 64;
    logic [8*HB-1:0] h = '0;
    for (int i = 0; i < HB && i < len; i++) h[8*i +: 8] = fbyte(f, i);
    exp_hdrs.push_back({h, 16'(len), 8'(f)});
    for (int b = 0; b < beats; b++) begin
      logic [511:0] d = '0;
      logic [63:0] k = '0;
      for (int i = 0; i < 64; i++) if (64*b + i < len) begin d[8*i +: 8] = fbyte(f, 64*b + i); k[i] = 1; end
      // garbage beyond tkeep must not reach the header
      for (int i = 0; i < 64; i++) if (!k[i]) d[8*i +: 8] = 8'hA5;
      if (b < 4 || b == beats - 1) exp_beats.push_back({(b == beats - 1), d});
      if (gaps) while ($urandom % 4 == 0) @(negedge clk);
      s_d = d; s_k = k; s_l = (b == beats - 1); s_u = 8'(f); s_v = 1;
      while (!s_r) @(negedge clk);
      @(negedge clk);
      s_v = 0;
    end
  endtask

  always @(negedge clk) begin
    b_r = stall ? ($urandom % 3 != 0) : 1'b1;
    h_r = stall ? ($urandom % 3 != 0) : 1'b1;
  end

  always @(posedge clk) begin
    if (!rst && b_v && b_r) begin
      logic [512:0] e;
      if (exp_beats.size() == 0) begin $display("ERROR: unexpected beat"); errors++; end
      else begin
        e = exp_beats.pop_front();
        if ({b_l, b_d} != e) begin $display("ERROR: beat %0d mismatch (last %0d/%0d)", nbeats, b_l, e[512]); errors++; end
      end
      nbeats++;
    end
    if (!rst && h_v && h_r) begin
      logic [8*HB+23:0] e;
      if (exp_hdrs.size() == 0) begin $display("ERROR: unexpected header"); errors++; end
      else begin
        e = exp_hdrs.pop_front();
        if ({h_d, h_len, h_u} != e) begin
          $display("ERROR: header %0d mismatch: len %0d/%0d user %0d/%0d", nhdrs, h_len, e[23:8], h_u, e[7:0]); errors++;
        end
      end
      nhdrs++;
    end
  end

  initial begin
    int t0;
    s_v = 0; s_d = 0; s_k = 0; s_l = 0; s_u = 0;
    repeat (3) @(posedge clk);
    rst = 0;
    @(negedge clk);
    for (int f = 0; f < 200; f++) send_frame(f, 1 + $urandom % 260, 1);   // includes > MAXL frames
    send_frame(200, 1000, 0);                                            // 16 beats, 5 stored
    repeat (50) @(posedge clk);
    // line rate with no stalls: 100 two-beat frames in ~200 cycles
    stall = 0;
    @(negedge clk);
    t0 = $time;
    for (int f = 0; f < 100; f++) send_frame(f, 100, 0);
    if (($time - t0) / 2 > 202) begin $display("ERROR: 200 beats took %0d cycles", ($time - t0) / 2); errors++; end
    repeat (20) @(posedge clk);
    if (exp_beats.size() != 0 || exp_hdrs.size() != 0) begin
      $display("ERROR: %0d beats and %0d headers missing", exp_beats.size(), exp_hdrs.size()); errors++;
    end
    if (busy) begin $display("ERROR: busy when drained"); errors++; end
    verdict.finish(errors);
  end

endmodule
