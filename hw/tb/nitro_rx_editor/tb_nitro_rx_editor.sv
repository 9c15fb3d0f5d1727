// tb_nitro_rx_editor: random VXLAN frames (random inner length and outer padding) with random
// drop/deliver decisions, random input gaps and output stalls. Checks every output byte (inner
// frame with the new destination MAC, padding discarded), tkeep, tlast, tuser, and that an
// N-beat frame takes N cycles when nothing stalls.
`timescale 1ns/1ps
module tb_nitro_rx_editor;

  tb_verdict #(.TIMEOUT(400000)) verdict ();   // PASS / FAIL verdict and watchdog (hw/tb/common)

  logic clk = 0, rst = 1;
  always #1 clk = ~clk;

  logic [511:0] in_d, h_d;
  logic in_l, in_v, in_r, dec_v, dec_r, h_v, h_r, h_l, busy;
  logic [72:0] dec_d;
  logic [63:0] h_k;
  logic [7:0] h_u;

  nitro_rx_editor #(.DATA_WIDTH(512)) dut (
    .clk(clk), .rst(rst),
    .s_axis_tdata(in_d), .s_axis_tlast(in_l), .s_axis_tvalid(in_v), .s_axis_tready(in_r),
    .dec_data(dec_d), .dec_valid(dec_v), .dec_ready(dec_r),
    .m_axis_host_tdata(h_d), .m_axis_host_tkeep(h_k), .m_axis_host_tvalid(h_v), .m_axis_host_tready(h_r), .m_axis_host_tlast(h_l), .m_axis_host_tuser(h_u),
    .busy(busy));

  logic [512:0] beats[$];
  logic [72:0] decs[$];
  byte unsigned exp_h[$], got_h[$];
  int exp_hl[$], exp_hu[$], got_hl[$], got_hu[$];
  int errors = 0, cur_h = 0;
  bit stall = 1;
  logic in_r_q = 0, dec_r_q = 0;

  // Frame of len bytes; inner frame = bytes 50 .. 50+ilen-1
  task automatic make_frame(input int f, input int len, input int ilen, input bit drop);
    byte unsigned fr[$];
    logic [47:0] mac;
    int nb;
    nb = (len + 63) / 64;
    mac = {$urandom, $urandom};
    for (int i = 0; i < len; i++) fr.push_back(8'($urandom));
    for (int b = 0; b < nb; b++) begin
      logic [511:0] d = '0;
      for (int i = 0; i < 64; i++) if (64*b + i < len) d[8*i +: 8] = fr[64*b + i];
      beats.push_back({(b == nb - 1), d});
    end
    decs.push_back({drop, 8'(f), 16'(ilen), mac});
    if (!drop) begin
      for (int i = 0; i < ilen; i++) exp_h.push_back(i < 6 ? mac[47-8*i -: 8] : fr[50 + i]);
      exp_hl.push_back(ilen); exp_hu.push_back(f % 256);
    end
  endtask

  always @(negedge clk) begin
    if (!rst) begin
      if (!in_v || in_r_q) begin
        if (beats.size() != 0 && (!stall || $urandom % 4 != 0)) begin
          logic [512:0] t;
          t = beats.pop_front();
          {in_l, in_d} = t; in_v = 1;
        end else in_v = 0;
      end
      if (!dec_v || dec_r_q) begin
        if (decs.size() != 0 && (!stall || $urandom % 4 != 0)) begin
          dec_d = decs.pop_front(); dec_v = 1;
        end else dec_v = 0;
      end
      h_r = stall ? ($urandom % 4 != 0) : 1'b1;
    end
  end
  always @(posedge clk) begin
    in_r_q  <= in_v && in_r;
    dec_r_q <= dec_v && dec_r;
  end

  always @(posedge clk) begin
    if (!rst && h_v && h_r) begin
      for (int i = 0; i < 64; i++) if (h_k[i]) begin got_h.push_back(h_d[8*i +: 8]); cur_h++; end
      if (h_l) begin got_hl.push_back(cur_h); got_hu.push_back(int'(h_u)); cur_h = 0; end
    end
  end

  task automatic compare();
    if (got_hl != exp_hl) begin $display("ERROR: frame lengths differ (%0d vs %0d frames)", got_hl.size(), exp_hl.size()); errors++; end
    if (got_hu != exp_hu) begin $display("ERROR: tuser differs"); errors++; end
    if (got_h != exp_h) begin $display("ERROR: bytes differ"); errors++; end
    got_h.delete(); got_hl.delete(); got_hu.delete();
    exp_h.delete(); exp_hl.delete(); exp_hu.delete();
  endtask

  initial begin
    int t0, bound;
    in_v = 0; dec_v = 0; in_d = 0; in_l = 0; dec_d = 0; h_r = 0;
    for (int f = 0; f < 400; f++) begin
      int ilen, pad, drop;
      ilen = 34 + $urandom % 400;
      pad  = ($urandom % 3 == 0) ? $urandom % 100 : 0;
      drop = ($urandom % 4 == 0);
      if (f % 7 == 0 && drop) make_frame(f, 1 + $urandom % 60, 34, 1);   // short dropped frames
      else make_frame(f, 50 + ilen + pad, ilen, drop != 0);
    end
    repeat (3) @(posedge clk);
    rst = 0;
    while (beats.size() != 0 || decs.size() != 0 || busy || in_v) @(posedge clk);
    repeat (10) @(posedge clk);
    compare();
    stall = 0;
    bound = 0;
    for (int f = 0; f < 100; f++) begin
      int ilen;
      ilen = 34 + $urandom % 300;
      make_frame(f, 50 + ilen, ilen, 0);
      bound += (50 + ilen + 63) / 64;
    end
    @(negedge clk);
    t0 = $time;
    while (beats.size() != 0 || decs.size() != 0 || busy || in_v) @(posedge clk);
    $display("throughput: %0d cycles for %0d input beats", ($time - t0) / 2, bound);
    if (($time - t0) / 2 > bound + bound / 20 + 5) begin $display("ERROR: too slow"); errors++; end
    repeat (10) @(posedge clk);
    compare();
    verdict.finish(errors);
  end

endmodule
