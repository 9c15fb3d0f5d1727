// tb_nitro_edge_select: the edge set vs a reference array. After reset every slot reads 0 and every
// packet goes to the route's EDGE_IP; random writes to EDGE_SET0..7 (some of 0, which hands a slot
// back to the route), reads of them, of unaligned addresses and of other blocks' addresses (0), and
// every cycle a random (slot, route IP) whose next hop must be the slot's IP or, for 0, the route's;
// a reset in the traffic clears the set.
`timescale 1ns/1ps
module tb_nitro_edge_select;

  tb_verdict #(.TIMEOUT(1000000)) verdict ();   // PASS / FAIL verdict and watchdog (hw/tb/common)

  localparam logic [15:0] BASE = nitro_regs_pkg::ADDR_EDGE_SET;
  logic clk = 0;
  always #1 clk = ~clk;

  logic        rst, csr_valid, csr_write;
  logic [15:0] csr_addr;
  logic [31:0] csr_wdata, csr_rd, route_ip, next_hop;
  logic [2:0]  slot;

  nitro_edge_select dut (.clk(clk), .rst(rst), .csr_valid(csr_valid), .csr_write(csr_write), .csr_addr(csr_addr),
    .csr_wdata(csr_wdata), .csr_rd(csr_rd), .slot(slot), .route_ip(route_ip), .next_hop(next_hop));

  logic [31:0] ref_set [8];
  int checked = 0;

  // A random CSR address: one of the 8 slots mostly, sometimes unaligned or another block's
  function automatic logic [15:0] random_addr();
    unique case ($urandom_range(0, 9))
      0:       random_addr = BASE + 16'($urandom_range(0, 7) * 4) + 16'($urandom_range(1, 3));
      1:       random_addr = BASE - 16'd4;
      2:       random_addr = BASE + 16'd32;
      default: random_addr = BASE + 16'($urandom_range(0, 7) * 4);
    endcase
  endfunction

  function automatic logic [31:0] expected_rd(input logic [15:0] a);
    if (a[15:5] == BASE[15:5] && a[1:0] == 2'b00) expected_rd = ref_set[a[4:2]];
    else                                          expected_rd = 32'h0;
  endfunction

  initial begin
    rst = 1; csr_valid = 0; csr_write = 0; csr_addr = '0; csr_wdata = '0; slot = '0; route_ip = '0;
    for (int i = 0; i < 8; i++) ref_set[i] = 32'h0;
    repeat (2) @(negedge clk);
    rst = 0;
    for (int n = 0; n < 20000; n++) begin
      @(negedge clk);
      // outputs of this cycle (the set as the last edge left it)
      slot     = 3'($urandom);
      route_ip = $urandom;
      csr_addr = random_addr();
      #0.25;
      verdict.check(next_hop == (ref_set[slot] != 0 ? ref_set[slot] : route_ip),
                    $sformatf("cycle %0d slot %0d: next hop %h, expected %h (route %h)", n, slot, next_hop,
                              ref_set[slot] != 0 ? ref_set[slot] : route_ip, route_ip));
      verdict.check(csr_rd == expected_rd(csr_addr),
                    $sformatf("cycle %0d read %h: %h, expected %h", n, csr_addr, csr_rd, expected_rd(csr_addr)));
      checked++;
      // a write (or a reset) at the next edge
      csr_valid = $urandom_range(0, 1) == 1;
      csr_write = $urandom_range(0, 1) == 1;
      csr_wdata = ($urandom_range(0, 4) == 0) ? 32'h0 : $urandom;
      rst       = $urandom_range(0, 999) == 0;
      if (rst) begin
        for (int i = 0; i < 8; i++) ref_set[i] = 32'h0;
      end else if (csr_valid && csr_write && csr_addr[15:5] == BASE[15:5] && csr_addr[1:0] == 2'b00) begin
        ref_set[csr_addr[4:2]] = csr_wdata;
      end
    end
    if (checked < 20000) verdict.check(0, "too few checks");
    verdict.finish(0);
  end

endmodule
