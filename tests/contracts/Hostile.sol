// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title Hostile, an ERC-20 test token whose own words are an attack
/// @notice Written for txdiag's tests. Its name, symbol and revert string are
/// whatever the deployer chose: control characters, bidi overrides, newlines
/// that forge output lines, kilobytes of text, and scam web addresses. Minting
/// is open to anyone: this token only ever lives on a local test chain.
contract Hostile {
    event Transfer(address indexed from, address indexed to, uint256 value);

    string private _name;
    string private _symbol;
    string private _reason;
    mapping(address account => uint256) private _balances;

    constructor(string memory name_, string memory symbol_, string memory reason_) {
        _name = name_;
        _symbol = symbol_;
        _reason = reason_;
    }

    function name() external view returns (string memory) {
        return _name;
    }

    function symbol() external view returns (string memory) {
        return _symbol;
    }

    function decimals() external pure returns (uint8) {
        return 18;
    }

    function balanceOf(address account) external view returns (uint256) {
        return _balances[account];
    }

    function mint(address to, uint256 value) external {
        _balances[to] += value;
        emit Transfer(address(0), to, value);
    }

    /// Moves tokens; short of balance it reverts with the deployer's reason string.
    function transfer(address to, uint256 value) external returns (bool) {
        if (_balances[msg.sender] < value) {
            revert(_reason);
        }
        _balances[msg.sender] -= value;
        _balances[to] += value;
        emit Transfer(msg.sender, to, value);
        return true;
    }
}
