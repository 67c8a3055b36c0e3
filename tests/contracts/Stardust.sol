// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title Stardust (STRD), an ERC-20 test token
/// @notice Written for txdiag's tests. It mirrors the error surface of an
/// OpenZeppelin 5 token (custom errors, EnforcedPause) plus a USDC-style
/// blacklist that reverts with a string. Minting, pausing and blacklisting are
/// open to anyone: this token only ever lives on a local test chain.
contract Stardust {
    error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed);
    error ERC20InvalidSender(address sender);
    error ERC20InvalidReceiver(address receiver);
    error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed);
    error ERC20InvalidApprover(address approver);
    error ERC20InvalidSpender(address spender);
    error EnforcedPause();
    error ExpectedPause();

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event Paused(address account);
    event Unpaused(address account);
    event Blacklisted(address indexed account);
    event UnBlacklisted(address indexed account);

    mapping(address account => uint256) private _balances;
    mapping(address account => mapping(address spender => uint256)) private _allowances;
    mapping(address account => bool) private _blacklisted;
    uint256 private _totalSupply;
    bool private _paused;

    function name() external pure returns (string memory) {
        return "Stardust";
    }

    function symbol() external pure returns (string memory) {
        return "STRD";
    }

    function decimals() external pure returns (uint8) {
        return 18;
    }

    function totalSupply() external view returns (uint256) {
        return _totalSupply;
    }

    function balanceOf(address account) external view returns (uint256) {
        return _balances[account];
    }

    function allowance(address owner, address spender) external view returns (uint256) {
        return _allowances[owner][spender];
    }

    function paused() external view returns (bool) {
        return _paused;
    }

    function isBlacklisted(address account) external view returns (bool) {
        return _blacklisted[account];
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _transfer(msg.sender, to, value);
        return true;
    }

    /// @dev A zero-value transferFrom needs no allowance, as on the tokens that
    /// address-poisoning campaigns abuse: anyone can make a victim appear to
    /// have sent 0 tokens to a look-alike address.
    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        if (value != 0) {
            _spendAllowance(from, msg.sender, value);
        }
        _transfer(from, to, value);
        return true;
    }

    function approve(address spender, uint256 value) external returns (bool) {
        if (spender == address(0)) {
            revert ERC20InvalidSpender(address(0));
        }
        _allowances[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function mint(address to, uint256 value) external {
        if (to == address(0)) {
            revert ERC20InvalidReceiver(address(0));
        }
        _update(address(0), to, value);
    }

    function pause() external {
        if (_paused) {
            revert EnforcedPause();
        }
        _paused = true;
        emit Paused(msg.sender);
    }

    function unpause() external {
        if (!_paused) {
            revert ExpectedPause();
        }
        _paused = false;
        emit Unpaused(msg.sender);
    }

    function blacklist(address account) external {
        _blacklisted[account] = true;
        emit Blacklisted(account);
    }

    function unBlacklist(address account) external {
        _blacklisted[account] = false;
        emit UnBlacklisted(account);
    }

    function _transfer(address from, address to, uint256 value) private {
        if (from == address(0)) {
            revert ERC20InvalidSender(address(0));
        }
        if (to == address(0)) {
            revert ERC20InvalidReceiver(address(0));
        }
        _update(from, to, value);
    }

    function _update(address from, address to, uint256 value) private {
        if (_paused) {
            revert EnforcedPause();
        }
        require(!_blacklisted[from] && !_blacklisted[to], "Blacklistable: account is blacklisted");
        if (from == address(0)) {
            _totalSupply += value;
        } else {
            uint256 fromBalance = _balances[from];
            if (fromBalance < value) {
                revert ERC20InsufficientBalance(from, fromBalance, value);
            }
            unchecked {
                _balances[from] = fromBalance - value;
            }
        }
        unchecked {
            // Cannot overflow: every balance is bounded by _totalSupply.
            _balances[to] += value;
        }
        emit Transfer(from, to, value);
    }

    function _spendAllowance(address owner, address spender, uint256 value) private {
        uint256 current = _allowances[owner][spender];
        if (current != type(uint256).max) {
            if (current < value) {
                revert ERC20InsufficientAllowance(spender, current, value);
            }
            unchecked {
                _allowances[owner][spender] = current - value;
            }
        }
    }
}
