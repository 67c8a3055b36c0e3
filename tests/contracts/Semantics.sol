// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title Tokens and accounts whose Transfer logs are not the payment a person addressed
/// @notice Written for txdiag's tests; they only ever live on a local test chain,
/// so minting is open to anyone. Each mirrors a shape people really send:
/// a fee-on-transfer token, a deflationary token, a bridged token burnt on
/// withdrawal, a token that returns false instead of reverting, an NFT, a
/// counterfeit of a well-known stablecoin, and an account code that a sponsor
/// runs for an EIP-7702-delegated account.

/// @dev The balance bookkeeping every test token here shares.
abstract contract Ledger {
    event Transfer(address indexed from, address indexed to, uint256 value);

    mapping(address account => uint256) internal _balances;
    uint256 public totalSupply;

    function decimals() external view virtual returns (uint8) {
        return 18;
    }

    function balanceOf(address account) external view returns (uint256) {
        return _balances[account];
    }

    function mint(address to, uint256 value) external {
        totalSupply += value;
        _balances[to] += value;
        emit Transfer(address(0), to, value);
    }

    function _move(address from, address to, uint256 value) internal {
        require(_balances[from] >= value, "insufficient balance");
        _balances[from] -= value;
        _balances[to] += value;
        emit Transfer(from, to, value);
    }

    function _burn(address from, uint256 value) internal {
        require(_balances[from] >= value, "insufficient balance");
        _balances[from] -= value;
        totalSupply -= value;
        emit Transfer(from, address(0), value);
    }
}

/// @title MoonCake (MCAKE): 5 % tax on every transfer, 3 % kept by the contract, 2 % to a treasury
contract TaxToken is Ledger {
    address public immutable treasury;

    constructor(address treasury_) {
        treasury = treasury_;
    }

    function symbol() external pure returns (string memory) {
        return "MCAKE";
    }

    function name() external pure returns (string memory) {
        return "MoonCake";
    }

    function transfer(address to, uint256 value) external returns (bool) {
        uint256 kept = (value * 3) / 100;
        uint256 paid = (value * 2) / 100;
        _move(msg.sender, address(this), kept);
        _move(msg.sender, treasury, paid);
        _move(msg.sender, to, value - kept - paid);
        return true;
    }
}

/// @title Ember (EMBR): burns 2 % of every transfer
contract DeflationaryToken is Ledger {
    function symbol() external pure returns (string memory) {
        return "EMBR";
    }

    function name() external pure returns (string memory) {
        return "Ember";
    }

    function transfer(address to, uint256 value) external returns (bool) {
        uint256 burnt = (value * 2) / 100;
        _burn(msg.sender, burnt);
        _move(msg.sender, to, value - burnt);
        return true;
    }
}

/// @title Bridged USD (bUSD): an L2 token burnt when withdrawn to L1, like a standard bridge's
contract BridgedToken is Ledger {
    event WithdrawalInitiated(address indexed from, address indexed l1Recipient, uint256 amount);

    function symbol() external pure returns (string memory) {
        return "bUSD";
    }

    function name() external pure returns (string memory) {
        return "Bridged USD";
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _move(msg.sender, to, value);
        return true;
    }

    function withdraw(uint256 amount) external {
        _burn(msg.sender, amount);
        emit WithdrawalInitiated(msg.sender, msg.sender, amount);
    }

    function burn(uint256 amount) external {
        _burn(msg.sender, amount);
    }
}

/// @title Quiet (QUIET): like some early tokens, transfer returns false instead of reverting
contract FalseToken is Ledger {
    function symbol() external pure returns (string memory) {
        return "QUIET";
    }

    function transfer(address to, uint256 value) external returns (bool) {
        if (_balances[msg.sender] < value) {
            return false;
        }
        _move(msg.sender, to, value);
        return true;
    }
}

/// @title Counterfeit: a token that names itself as another (say "USDT") and can fake history
contract Counterfeit is Ledger {
    string private _symbol;
    uint8 private immutable _decimals;

    constructor(string memory symbol_, uint8 decimals_) {
        _symbol = symbol_;
        _decimals = decimals_;
    }

    function symbol() external view returns (string memory) {
        return _symbol;
    }

    function name() external view returns (string memory) {
        return _symbol;
    }

    function decimals() external view override returns (uint8) {
        return _decimals;
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _move(msg.sender, to, value);
        return true;
    }

    /// @dev What poisoning tokens do: log a transfer between any two addresses, moving nothing real.
    function airdrop(address from, address to, uint256 value) external {
        emit Transfer(from, to, value);
    }
}

/// @title Kittens (KIT): a minimal ERC-721 (no receiver check on transferFrom, as the standard allows)
contract Kittens {
    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);
    event Approval(address indexed owner, address indexed approved, uint256 indexed tokenId);

    mapping(uint256 tokenId => address) public ownerOf;
    mapping(address owner => uint256) public balanceOf;

    function name() external pure returns (string memory) {
        return "Kittens";
    }

    function symbol() external pure returns (string memory) {
        return "KIT";
    }

    function supportsInterface(bytes4 id) external pure returns (bool) {
        return id == 0x01ffc9a7 || id == 0x80ac58cd;
    }

    function mint(address to, uint256 tokenId) external {
        require(ownerOf[tokenId] == address(0), "minted");
        ownerOf[tokenId] = to;
        balanceOf[to] += 1;
        emit Transfer(address(0), to, tokenId);
    }

    function transferFrom(address from, address to, uint256 tokenId) public {
        require(ownerOf[tokenId] == from && msg.sender == from, "not owner");
        ownerOf[tokenId] = to;
        balanceOf[from] -= 1;
        balanceOf[to] += 1;
        emit Transfer(from, to, tokenId);
    }
}

/// @title Sponsored: account code for an EIP-7702 delegation; anyone may submit its calls (test-only)
/// @dev A real sponsored account checks the owner's signature over each call; the tests only need
/// the shape: a sponsor's transaction to the delegated account, whose execute() moves its tokens.
contract Sponsored {
    function execute(address target, uint256 value, bytes calldata data) external returns (bytes memory result) {
        bool ok;
        (ok, result) = target.call{value: value}(data);
        require(ok, "call failed");
    }
}

/// @title Badges (BDG): a minimal ERC-1155 that, like many, accepts its own tokens
contract Badges {
    event TransferSingle(
        address indexed operator, address indexed from, address indexed to, uint256 id, uint256 value
    );

    mapping(uint256 id => mapping(address account => uint256)) public balanceOf;

    function symbol() external pure returns (string memory) {
        return "BDG";
    }

    function supportsInterface(bytes4 id) external pure returns (bool) {
        return id == 0x01ffc9a7 || id == 0xd9b67a26;
    }

    function mint(address to, uint256 id, uint256 value) external {
        balanceOf[id][to] += value;
        emit TransferSingle(msg.sender, address(0), to, id, value);
    }

    function safeTransferFrom(address from, address to, uint256 id, uint256 value, bytes calldata) external {
        require(msg.sender == from && balanceOf[id][from] >= value, "not allowed");
        balanceOf[id][from] -= value;
        balanceOf[id][to] += value;
        emit TransferSingle(msg.sender, from, to, id, value);
    }

    function onERC1155Received(address, address, uint256, uint256, bytes calldata) external pure returns (bytes4) {
        return this.onERC1155Received.selector;
    }
}
